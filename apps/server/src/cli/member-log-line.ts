/**
 * Turns a member's JSON log line into one short human line for `keel-cluster`'s terminal:
 * `n1 | 12:00:01.234 INFO  leader changed leader=n2 term=3`.
 */

/** Fields every line has that the short form shows elsewhere or leaves out. */
const hiddenFields = new Set(['level', 'time', 'pid', 'hostname', 'member', 'msg', 'id']);

/** Formats `line` of member `id`; a line that is not a JSON object is shown as it is. */
export function formatMemberLine(id: string, line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `${id} | ${line}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `${id} | ${line}`;
  const record = parsed as Record<string, unknown>;
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = String(record.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !hiddenFields.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [`${id} |`, time, level, String(record.msg ?? ''), ...fields].filter((part) => part !== '').join(' ');
}
