import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { raw } from '../../../src/codecs/raw.js';

describe('raw', () => {
  const bytes = raw();

  it('passes bytes through as they are, without copying', () => {
    const value = new Uint8Array([0, 0xff, 0x7b]);
    expect(bytes.serialize(value)).toBe(value);
    const result = bytes.deserialize(value);
    expect(E.isRight(result) && result.right).toBe(value);
  });

  it('accepts bytes that are neither UTF-8 nor JSON', () => {
    expect(bytes.deserialize(new Uint8Array([0xc0, 0xaf]))).toEqual(E.right(new Uint8Array([0xc0, 0xaf])));
  });

  it('a null value is a failure', () => {
    expect(bytes.deserialize(null, { topic: 't', partition: 0, offset: '0' })).toEqual(
      E.left(
        expect.objectContaining({
          code: 'DECODE_FAILED',
          reason: 'null',
          serde: 'raw',
          origin: { topic: 't', partition: 0, offset: '0' },
          message: 'raw cannot decode t/0@0: the value is null',
        }),
      ),
    );
  });
});
