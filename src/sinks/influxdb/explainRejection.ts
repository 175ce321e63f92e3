import { lineParts, type FieldType } from './lineProtocol.js';

/**
 * What a 400 or 422 answer to a batch says about its lines. InfluxDB 2 answers:
 *
 * - 400 `unable to parse '<line>': <reason>`, one per unparsable line (joined by line breaks): nothing of
 *   the batch was written;
 * - 422 `partial write: <reason> dropped=<n>`: every other line was written; `reason` describes only the
 *   first dropped line (a field type conflict, a string too long, a field named `time`), `n` counts all.
 *
 * `parse` names the lines with their own reason; `partial` names the suspects that match the reason (they
 * still need confirming: the same field can have another type in another shard); `unknown` means the
 * message names no line, and the batch must be bisected. Internal: not exported from the package.
 */
export type Explanation =
  | { readonly kind: 'parse'; readonly reasons: ReadonlyMap<number, string> }
  | {
      readonly kind: 'partial';
      readonly suspects: readonly number[];
      /** How many lines the server dropped, when it said. */
      readonly dropped: number | undefined;
    }
  | { readonly kind: 'unknown' };

const PARSE_PREFIX = "unable to parse '";

/** A Go `%q` string's content, unquoted (the server names fields and measurements that way). */
const unquoteGo = (quoted: string): string => {
  try {
    return JSON.parse(`"${quoted.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')}"`) as string;
  } catch {
    return quoted;
  }
};

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const CONFLICT = new RegExp(
  `input field ${QUOTED} on measurement ${QUOTED} is type (\\w+), already exists as type (\\w+)`,
);
const TOO_LONG = new RegExp(`input field ${QUOTED} on measurement ${QUOTED} is too long`);
const BAD_FIELD_NAME = new RegExp(
  `invalid field name: input field ${QUOTED} on measurement ${QUOTED} is invalid`,
);
const DROPPED = /dropped=(\d+)/;

/** Indices of the lines of `measurement` that have field `field` (of `type`, when given). */
const linesWith = (
  lines: readonly string[],
  measurement: string,
  field: string,
  type: FieldType | undefined,
): number[] => {
  const found: number[] = [];
  lines.forEach((line, i) => {
    const parts = lineParts(line);
    if (parts === undefined || parts.measurement !== measurement) return;
    const actual = parts.fields.get(field);
    if (actual !== undefined && (type === undefined || actual === type)) found.push(i);
  });
  return found;
};

const explainParse = (message: string, lines: readonly string[]): Explanation => {
  const reasons = new Map<number, string>();
  lines.forEach((line, i) => {
    const at = message.indexOf(`${PARSE_PREFIX}${line}': `);
    if (at === -1) return;
    const next = message.indexOf(`\n${PARSE_PREFIX}`, at + PARSE_PREFIX.length + line.length);
    reasons.set(i, message.slice(at, next === -1 ? undefined : next));
  });
  return reasons.size > 0 ? { kind: 'parse', reasons } : { kind: 'unknown' };
};

const explainPartial = (message: string, lines: readonly string[]): Explanation => {
  const droppedText = DROPPED.exec(message)?.[1];
  const dropped = droppedText === undefined ? undefined : Number(droppedText);
  const conflict = CONFLICT.exec(message);
  if (conflict) {
    const [, field, measurement, type] = conflict;
    const suspects = linesWith(lines, unquoteGo(measurement!), unquoteGo(field!), type as FieldType);
    return { kind: 'partial', suspects, dropped };
  }
  const tooLong = TOO_LONG.exec(message);
  if (tooLong) {
    const [, field, measurement] = tooLong;
    return {
      kind: 'partial',
      suspects: linesWith(lines, unquoteGo(measurement!), unquoteGo(field!), 'string'),
      dropped,
    };
  }
  const badName = BAD_FIELD_NAME.exec(message);
  if (badName) {
    const [, field, measurement] = badName;
    return {
      kind: 'partial',
      suspects: linesWith(lines, unquoteGo(measurement!), unquoteGo(field!), undefined),
      dropped,
    };
  }
  return { kind: 'partial', suspects: [], dropped };
};

/** Reads a 400 or 422 answer to `lines` (see {@link Explanation}). */
export const explainRejection = (status: number, message: string, lines: readonly string[]): Explanation => {
  if (message.includes(PARSE_PREFIX)) return explainParse(message, lines);
  if (status === 422 || message.includes('partial write')) return explainPartial(message, lines);
  return { kind: 'unknown' };
};
