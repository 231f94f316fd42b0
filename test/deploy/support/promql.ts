/**
 * A deliberately small PromQL reader: enough to list the metric names and label matchers an
 * expression uses, so that dashboards, alerts and autoscaling queries can be checked against
 * the metrics the processes export. It is not a parser; it assumes the expression is valid.
 */

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'offset', 'bool', 'inf', 'nan', 'start', 'end',
]);

/** Grouping and vector-matching clauses whose parenthesised list holds label names. */
const LABEL_LIST = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/g;

const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;

/** Grafana template variables: $__rate_interval, ${datasource}, $type, [[legacy]]. */
const GRAFANA_VARIABLE = /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[^\]]*\]\]/g;

function stripNoise(expr: string): string {
  return expr
    .replace(STRING, '""')
    .replace(/#[^\n]*/g, ' ')
    .replace(GRAFANA_VARIABLE, ' ');
}

export interface LabelMatcher {
  /** Metric name the matcher is attached to, or undefined for a bare `{...}` selector. */
  metric: string | undefined;
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** Metric names used by the expression, in order of first use. */
export function metricNamesIn(expr: string): string[] {
  if (/__name__/.test(expr)) {
    throw new Error(`selecting metrics through __name__ is not checked, name the metric: ${expr}`);
  }
  const text = stripNoise(expr)
    .replace(/\[[^\]]*\]/g, ' ') // range vectors, subqueries
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(LABEL_LIST, ' ');
  const names: string[] = [];
  const token = /(?:\d*\.\d+|\d+)(?:[eE][+-]?\d+)?[A-Za-z]*|[A-Za-z_:][A-Za-z0-9_:]*/g;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    const word = match[0];
    if (/^[\d.]/.test(word)) continue; // number or duration
    if (KEYWORDS.has(word.toLowerCase())) continue;
    const rest = text.slice(match.index + word.length);
    if (/^\s*\(/.test(rest)) continue; // function or aggregation call
    if (!names.includes(word)) names.push(word);
  }
  return names;
}

/** Label names listed in by/without/on/ignoring/group_left/group_right clauses. */
export function groupingLabelsIn(expr: string): string[] {
  const labels = new Set<string>();
  for (const match of stripNoise(expr).matchAll(LABEL_LIST)) {
    for (const label of (match[1] ?? '').split(',')) {
      const trimmed = label.trim();
      if (trimmed !== '') labels.add(trimmed);
    }
  }
  return [...labels];
}

/** Every `label op "value"` matcher, with the metric name it belongs to. */
export function labelMatchersIn(expr: string): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  const selector = /([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{([^}]*)\}/g;
  const matcher = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g;
  for (const sel of expr.replace(/#[^\n]*/g, ' ').matchAll(selector)) {
    const metric = sel[1];
    for (const m of (sel[2] ?? '').matchAll(matcher)) {
      matchers.push({
        metric: metric === undefined || KEYWORDS.has(metric) ? undefined : metric,
        label: m[1] ?? '',
        op: (m[2] ?? '=') as LabelMatcher['op'],
        value: (m[3] ?? '""').slice(1, -1),
      });
    }
  }
  return matchers;
}
