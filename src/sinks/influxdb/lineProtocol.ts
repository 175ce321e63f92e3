/**
 * InfluxDB line protocol, the text the write endpoint takes: `measurement,tag=value field=1.5 1723161600000`.
 * Pure functions; the escaping rules are InfluxDB's own (`models/points.go`): measurements escape `,` and
 * space; tag keys, tag values and field keys also escape `=`; string field values are quoted and escape
 * `"` and `\`.
 *
 * Some names cannot be written exactly in any escaping: a line break ends the line, a backslash before a
 * character that has to be escaped (or at the end) pairs with the escape, and a measurement that starts
 * with `#` makes the line a comment that the server skips. The escapers return `undefined` for those, so
 * that the point goes to the dead letters instead of being written altered or silently dropped.
 * Internal: not exported from the package.
 */

/** Characters that make a name need more than a copy: the escaped ones, line breaks and backslashes. */
const MEASUREMENT_SPECIAL = /[, \n\r\\]/;
const KEY_SPECIAL = /[, =\n\r\\]/;

/** Escapes `text` where `special` characters take a backslash; `undefined` when that cannot be exact. */
const escapeWith = (text: string, special: string): string | undefined => {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') return undefined;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined || special.includes(next)) return undefined;
      out += c;
    } else if (special.includes(c)) {
      out += `\\${c}`;
    } else {
      out += c;
    }
  }
  return out;
};

/** A measurement name as line protocol writes it, or `undefined` if it cannot be written exactly. */
export const escapeMeasurement = (name: string): string | undefined => {
  if (name.length === 0 || name.startsWith('#')) return undefined;
  return MEASUREMENT_SPECIAL.test(name) ? escapeWith(name, ', ') : name;
};

/** A tag key, tag value or field key as line protocol writes it, or `undefined` if it cannot be exact. */
export const escapeKey = (text: string): string | undefined => {
  if (text.length === 0) return undefined;
  return KEY_SPECIAL.test(text) ? escapeWith(text, ', =') : text;
};

const STRING_SPECIAL = /["\\]/;

/** A string field value, quoted. Every string can be written: line breaks are allowed inside quotes. */
export const quoteString = (value: string): string =>
  STRING_SPECIAL.test(value) ? `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : `"${value}"`;

/** Says why `escapeMeasurement` or `escapeKey` refused a name (`kind`: 'measurement', 'tag key', …). */
export const unwritableName = (kind: string, text: string): string => {
  const shown = JSON.stringify(text);
  if (text.length === 0) return `the ${kind} is empty`;
  if (/[\n\r]/.test(text))
    return `the ${kind} ${shown} contains a line break, which line protocol cannot carry`;
  if (kind === 'measurement' && text.startsWith('#'))
    return `the measurement ${shown} starts with '#', which makes the line a comment`;
  return `the ${kind} ${shown} has a backslash at its end or before a character that must be escaped`;
};

/** Where a point's parts end in a line this module wrote: series key (measurement and tags), fields. */
interface LineParts {
  readonly measurement: string;
  /** Field keys (unescaped) with their line protocol types. */
  readonly fields: ReadonlyMap<string, FieldType>;
}

/** The types InfluxDB stores, named as its error messages name them. */
export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean';

const unescapeName = (text: string): string => text.replace(/\\([, =])/g, '$1');

/**
 * Reads back the measurement and the field keys and types of a line (for matching a server's error
 * message against the lines of a batch); `undefined` if the line is not one that this module writes.
 */
export const lineParts = (line: string): LineParts | undefined => {
  let i = 0;
  // Measurement: up to the first unescaped ',' or ' '.
  while (i < line.length && line[i] !== ',' && line[i] !== ' ') i += line[i] === '\\' ? 2 : 1;
  const measurement = unescapeName(line.slice(0, i));
  // Tags: up to the first unescaped ' '.
  while (i < line.length && line[i] !== ' ') i += line[i] === '\\' ? 2 : 1;
  i++;
  const fields = new Map<string, FieldType>();
  while (i < line.length) {
    const keyStart = i;
    while (i < line.length && line[i] !== '=') i += line[i] === '\\' ? 2 : 1;
    const key = unescapeName(line.slice(keyStart, i));
    i++;
    let type: FieldType;
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
      i++;
      type = 'string';
    } else {
      const valueStart = i;
      while (i < line.length && line[i] !== ',' && line[i] !== ' ') i++;
      const value = line.slice(valueStart, i);
      if (value === 'true' || value === 'false') type = 'boolean';
      else if (value.endsWith('i')) type = 'integer';
      else if (value.endsWith('u')) type = 'unsigned';
      else type = 'float';
    }
    if (key === '') return undefined;
    fields.set(key, type);
    if (line[i] === ' ') break;
    i++;
  }
  return fields.size > 0 ? { measurement, fields } : undefined;
};
