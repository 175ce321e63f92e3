import * as E from 'fp-ts/lib/Either.js';
import { decodeFailure } from './DecodeFailure.js';
import type { Serde } from './Serde.js';

const NAME = 'raw';

const serde: Serde<Uint8Array> = {
  name: NAME,
  serialize: (value) => value,
  deserialize: (bytes, origin) =>
    bytes === null ? E.left(decodeFailure(NAME, 'null', { origin })) : E.right(bytes),
};

/**
 * A serde that leaves bytes as they are, without copying: for payloads decoded further downstream, or
 * passed through untouched. A null value (tombstone) is a `DecodeFailure`.
 *
 * @example
 * ```ts
 * import { raw } from 'tributary';
 * const bytes = new Uint8Array([1, 2, 3]);
 * raw().deserialize(bytes); // Right(bytes), the same array
 * ```
 */
export const raw = (): Serde<Uint8Array> => serde;
