import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { decodeFailure, reportPaths } from './DecodeFailure.js';
import { parsedJsonCheck, REJECTED } from './parsedJsonCheck.js';
import type { Serde } from './Serde.js';

// Shared by every json serde: a decoder per call would cost more than the decoding. `fatal` makes
// invalid UTF-8 a failure instead of U+FFFD; a leading byte order mark is skipped, as RFC 8259 allows.
const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * A serde of UTF-8 JSON text checked by an io-ts codec. `serialize` writes `JSON.stringify` of
 * `codec.encode(value)`; `deserialize` decodes UTF-8, parses JSON and validates it with the codec, and
 * returns a `DecodeFailure` for a null value, invalid UTF-8, invalid JSON (with the parser's error
 * as `cause`) or a value of the wrong shape (with its `paths`). A valid record costs one UTF-8 decode, one
 * `JSON.parse` and the codec; no error value is built for it.
 *
 * The serde is named `json(<codec name>)`: name the codec (`t.type(props, 'BinanceTrade')`) for short
 * failure messages.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { json, NumberFromString, timestampMs } from 'tributary';
 *
 * const Trade = t.type({ s: t.string, p: NumberFromString, T: timestampMs }, 'Trade');
 * const trades = json(Trade);
 * const bytes = trades.serialize({ s: 'BTCUSDT', p: 61685.99, T: 1723161600000 });
 * // '{"s":"BTCUSDT","p":"61685.99","T":1723161600000}'
 * trades.deserialize(bytes, { topic: 'trades', partition: 0, offset: '7' });
 * // Right({ s: 'BTCUSDT', p: 61685.99, T: 1723161600000 })
 * ```
 */
export const json = <A, O>(codec: t.Type<A, O, unknown>): Serde<A> => {
  const name = `json(${codec.name})`;
  const check = parsedJsonCheck(codec);
  return {
    name,
    serialize: (value) => encoder.encode(JSON.stringify(codec.encode(value))),
    deserialize: (bytes, origin) => {
      if (bytes === null) return E.left(decodeFailure(name, 'null', { origin }));
      let text: string;
      try {
        text = decoder.decode(bytes);
      } catch {
        return E.left(decodeFailure(name, 'invalid-utf8', { origin }));
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        return E.left(decodeFailure(name, 'invalid-json', { origin, cause }));
      }
      const value = check(parsed);
      if (value !== REJECTED) return E.right(value as A);
      // The check may have converted part of `parsed` before it failed: the paths come from a fresh parse.
      const result = codec.decode(JSON.parse(text));
      return E.isRight(result)
        ? result
        : E.left(decodeFailure(name, 'invalid-value', { paths: reportPaths(result.left), origin }));
    },
  };
};
