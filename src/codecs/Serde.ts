import type * as E from 'fp-ts/lib/Either.js';
import type { Origin } from '../core/errors.js';
import type { DecodeFailure } from './DecodeFailure.js';

/**
 * Turns values of type `A` into the bytes of a record key or value and back. `deserialize` takes the bytes
 * as the log holds them (`null` for a tombstone) and the record's origin, and returns the value or a
 * {@link DecodeFailure} naming that origin; it never throws on bad input. `serialize` takes a value the
 * type system already checked.
 *
 * Built-in serdes: `json(codec)`, `string()`, `raw()`. A serde of your own is a plain object:
 *
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import { decodeFailure, type Serde } from 'tributary';
 *
 * // A count as 4 big-endian bytes.
 * const uint32: Serde<number> = {
 *   name: 'uint32',
 *   serialize: (n) => {
 *     const bytes = new Uint8Array(4);
 *     new DataView(bytes.buffer).setUint32(0, n);
 *     return bytes;
 *   },
 *   deserialize: (bytes, origin) => {
 *     if (bytes === null) return E.left(decodeFailure('uint32', 'null', { origin }));
 *     if (bytes.length !== 4) {
 *       const paths = [`(root): expected 4 bytes, got ${bytes.length}`];
 *       return E.left(decodeFailure('uint32', 'invalid-value', { paths, origin }));
 *     }
 *     return E.right(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
 *   },
 * };
 * ```
 */
export interface Serde<A> {
  /** Names the serde in failures, e.g. `'json(BinanceTrade)'`. */
  readonly name: string;
  readonly serialize: (value: A) => Uint8Array;
  readonly deserialize: (bytes: Uint8Array | null, origin?: Origin) => E.Either<DecodeFailure, A>;
}
