import * as E from 'fp-ts/lib/Either.js';
import { decodeFailure, type Serde } from '../../src/index.js';

/** A count as 4 big-endian bytes. */
const uint32: Serde<number> = {
  name: 'uint32',
  serialize: (n) => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, n);
    return bytes;
  },
  deserialize: (bytes, origin) => {
    if (bytes === null) return E.left(decodeFailure('uint32', 'null', { origin }));
    if (bytes.length !== 4) {
      const paths = [`(root): expected 4 bytes, got ${bytes.length}`];
      return E.left(decodeFailure('uint32', 'invalid-value', { paths, origin }));
    }
    return E.right(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
  },
};

const count = uint32.deserialize(uint32.serialize(70_000));
// { _tag: 'Right', right: 70000 }
const short = uint32.deserialize(new Uint8Array([1, 2]));
// { _tag: 'Left', left: { reason: 'invalid-value', paths: ['(root): expected 4 bytes, got 2'], … } }
// ---- end of documented example ----
export { count, short };
