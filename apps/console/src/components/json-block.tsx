import type { JsonValue } from '@taskyard/contracts';
import { Typography } from 'antd';
import { formatJson } from '../lib/format';

export function JsonBlock({ value, testId, empty = 'None' }: { value: JsonValue | null | undefined; testId?: string; empty?: string }) {
  const text = formatJson(value);
  if (!text) return <Typography.Text type="secondary">{empty}</Typography.Text>;
  return (
    <pre className="ty-code-block" data-testid={testId}>
      {text}
    </pre>
  );
}
