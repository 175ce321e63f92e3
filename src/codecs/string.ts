import * as E from 'fp-ts/lib/Either.js';
import { decodeFailure } from './DecodeFailure.js';
import type { Serde } from './Serde.js';

const NAME = 'string';
// `ignoreBOM` keeps a leading U+FEFF as text, so every string survives a round trip.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

const serde: Serde<string> = {
  name: NAME,
  serialize: (value) => encoder.encode(value),
  deserialize: (bytes, origin) => {
    if (bytes === null) return E.left(decodeFailure(NAME, 'null', { origin }));
    try {
      return E.right(decoder.decode(bytes));
    } catch {
      return E.left(decodeFailure(NAME, 'invalid-utf8', { origin }));
    }
  },
};

/**
 * A serde of UTF-8 text, e.g. for keys such as `'BTCUSDT'`. A null value and invalid UTF-8 are
 * `DecodeFailure`s. Strings round-trip exactly, except that a lone surrogate (not valid Unicode)
 * is written as U+FFFD.
 *
 * @example
 * ```ts
 * import { string } from 'tributary';
 * const keys = string();
 * keys.deserialize(keys.serialize('BTCUSDT')); // Right('BTCUSDT')
 * keys.deserialize(null); // Left(DecodeFailure 'null')
 * ```
 */
export const string = (): Serde<string> => serde;
