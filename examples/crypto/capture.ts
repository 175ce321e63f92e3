/**
 * Lines of a Binance websocket capture, as the recordings in the shared data set are written:
 *
 *   <local receive time> <message JSON exactly as received>
 *
 * The local time is an integer (nanoseconds since the epoch in the 2024 recordings, microseconds in the
 * 2023 one) and is kept exact, as a `bigint`: nanosecond times are beyond a double's integers. The message
 * is Binance's combined-stream envelope `{"stream":"btcusdt@trade","data":{…}}`; a recording also holds
 * `@bookTicker` and `@depth@100ms` messages and a REST depth snapshot (`{"lastUpdateId":…}`) without an
 * envelope.
 */

/** What one capture line holds. */
export type CaptureLine =
  /** A trade message; `payload` is the trade object's JSON text exactly as captured (not yet checked). */
  | { readonly _tag: 'trade'; readonly localTime: bigint; readonly payload: string }
  /** Any other message: `kind` is its event type (`depthUpdate`), else its stream's (`bookTicker`). */
  | { readonly _tag: 'other'; readonly localTime: bigint; readonly kind: string }
  /** A line with only blanks. */
  | { readonly _tag: 'blank' }
  /** A line that is not `<integer> <JSON object>`; `localTime` when the first part could be read. */
  | { readonly _tag: 'invalid'; readonly localTime: bigint | undefined; readonly reason: string };

const LINE = /^(\d+)[ \t]+(\S[\s\S]*)$/;

type Json = Record<string, unknown>;
const isObject = (u: unknown): u is Json => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * Reads one capture line. A message is a trade when its event type `e` is `"trade"` or it came on a
 * `<symbol>@trade` stream; its `data` object is returned as written, for the trade codec to check. A line
 * that cannot be read is `invalid` with the reason, never an exception.
 *
 * @example
 * ```ts
 * parseCaptureLine('1723161255343000000 {"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT"}}');
 * // { _tag: 'trade', localTime: 1723161255343000000n, payload: '{"e":"trade","s":"BTCUSDT"}' }
 * parseCaptureLine('1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT"}}');
 * // { _tag: 'other', localTime: 1723161254087891268n, kind: 'bookTicker' }
 * ```
 */
export const parseCaptureLine = (line: string): CaptureLine => {
  const text = line.trim();
  if (text === '') return { _tag: 'blank' };
  const parts = LINE.exec(text);
  if (parts === null) {
    return { _tag: 'invalid', localTime: undefined, reason: 'expected "<integer local time> <JSON>"' };
  }
  const localTime = BigInt(parts[1]!);
  const json = parts[2]!;
  let message: unknown;
  try {
    message = JSON.parse(json);
  } catch (cause) {
    return {
      _tag: 'invalid',
      localTime,
      reason: `the message is not valid JSON (${(cause as Error).message})`,
    };
  }
  if (!isObject(message)) return { _tag: 'invalid', localTime, reason: 'the message is not a JSON object' };

  const stream = typeof message['stream'] === 'string' ? message['stream'] : undefined;
  const hasData = Object.hasOwn(message, 'data');
  if (stream === undefined && !hasData) {
    // No envelope: a bare event, or the REST depth snapshot.
    if (message['e'] === 'trade') return { _tag: 'trade', localTime, payload: json };
    const kind =
      typeof message['e'] === 'string'
        ? message['e']
        : Object.hasOwn(message, 'lastUpdateId')
          ? 'depthSnapshot'
          : 'unknown';
    return { _tag: 'other', localTime, kind };
  }
  const data = message['data'];
  const event = isObject(data) && typeof data['e'] === 'string' ? data['e'] : undefined;
  if (event === 'trade' || (event === undefined && stream?.endsWith('@trade') === true)) {
    if (!hasData) return { _tag: 'invalid', localTime, reason: `a ${stream} message without "data"` };
    return { _tag: 'trade', localTime, payload: rawMember(json, 'data')! };
  }
  const kind =
    event ??
    (stream !== undefined && stream.includes('@') ? stream.slice(stream.indexOf('@') + 1) : 'unknown');
  return { _tag: 'other', localTime, kind };
};

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

const skipBlanks = (text: string, i: number): number => {
  while (isBlank(text[i])) i++;
  return i;
};

/** Index just past the string literal that starts at `i`. */
const stringEnd = (text: string, i: number): number => {
  let j = i + 1;
  while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
};

/** Index just past the JSON value that starts at `i`. */
const valueEnd = (text: string, i: number): number => {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    let j = i;
    do {
      const d = text[j];
      if (d === '"') {
        j = stringEnd(text, j);
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      j++;
    } while (depth > 0);
    return j;
  }
  let j = i;
  while (j < text.length && text[j] !== ',' && text[j] !== '}' && text[j] !== ']' && !isBlank(text[j])) j++;
  return j;
};

/**
 * The text of member `name` of a JSON object, exactly as written (the last one when the name repeats, as
 * `JSON.parse` reads it), or `undefined`. `text` must be valid JSON: call it after `JSON.parse` succeeded.
 *
 * @example
 * ```ts
 * rawMember('{"stream":"x","data":{"p":"1.50"} }', 'data'); // '{"p":"1.50"}'
 * ```
 */
export const rawMember = (text: string, name: string): string | undefined => {
  let found: string | undefined;
  let i = skipBlanks(text, 0) + 1; // past '{'
  for (;;) {
    i = skipBlanks(text, i);
    if (text[i] === '}') return found;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const start = skipBlanks(text, skipBlanks(text, keyEnd) + 1); // past ':'
    const end = valueEnd(text, start);
    if (key === name) found = text.slice(start, end);
    i = skipBlanks(text, end);
    if (text[i] === ',') i++;
  }
};
