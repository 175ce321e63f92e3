import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { string } from '../../../src/codecs/string.js';

describe('string', () => {
  const keys = string();

  it('writes UTF-8 and reads it back', () => {
    expect([...keys.serialize('BTCUSDT')]).toEqual([...Buffer.from('BTCUSDT')]);
    expect([...keys.serialize('€')]).toEqual([0xe2, 0x82, 0xac]);
    expect(keys.deserialize(Buffer.from('Zürich 🚀', 'utf8'))).toEqual(E.right('Zürich 🚀'));
    expect(keys.deserialize(new Uint8Array(0))).toEqual(E.right(''));
  });

  it('keeps a leading U+FEFF as text', () => {
    expect(keys.deserialize(keys.serialize('\uFEFFkey'))).toEqual(E.right('\uFEFFkey'));
  });

  it('round-trips every well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(keys.deserialize(keys.serialize(s))).toEqual(E.right(s));
      }),
    );
  });

  it('a null value is a failure', () => {
    expect(keys.deserialize(null, { topic: 'trades', partition: 1, offset: '9' })).toEqual(
      E.left({
        _tag: 'TributaryError',
        code: 'DECODE_FAILED',
        retriable: false,
        reason: 'null',
        serde: 'string',
        paths: [],
        origin: { topic: 'trades', partition: 1, offset: '9' },
        message: 'string cannot decode trades/1@9: the value is null',
      }),
    );
  });

  it('invalid UTF-8 is a failure, not U+FFFD', () => {
    expect(keys.deserialize(new Uint8Array([0x61, 0xff, 0x62]))).toEqual(
      E.left(
        expect.objectContaining({
          code: 'DECODE_FAILED',
          reason: 'invalid-utf8',
          message: 'string cannot decode a value: the bytes are not valid UTF-8',
        }),
      ),
    );
  });
});
