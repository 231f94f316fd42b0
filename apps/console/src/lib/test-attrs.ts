/** `data-*` attributes in a shape every React/antd props object accepts (tests select on them). */
export type DataAttrs = { [key: `data-${string}`]: string };

export function testAttrs(testId: string, extra: Record<string, string | undefined> = {}): DataAttrs {
  const attrs: DataAttrs = { 'data-testid': testId };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) attrs[`data-${key}`] = value;
  }
  return attrs;
}
