import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { NumberFromString } from '../../../src/codecs/NumberFromString.js';

describe('NumberFromString', () => {
  it.each([
    ['61685.99000000', 61_685.99],
    ['0.00162000', 0.00162],
    ['42', 42],
    ['-1.5', -1.5],
    ['+7', 7],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-8', 1e-8],
    ['2.5E+3', 2_500],
  ])('decodes %j', (text, n) => {
    expect(NumberFromString.decode(text)).toEqual(E.right(n));
  });

  it.each([
    ['an empty string', ''],
    ['blanks', '   '],
    ['surrounding blanks', ' 1 '],
    ['hexadecimal', '0x10'],
    ['binary', '0b1'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['an overflowing exponent', '1e400'],
    ['a comma', '1,5'],
    ['a number, not a string', 1.5],
    ['null', null],
  ])('rejects %s', (_what, input) => {
    expect(E.isLeft(NumberFromString.decode(input))).toBe(true);
  });

  it('encodes a number to a string that decodes to the same number', () => {
    expect(NumberFromString.encode(61_685.99)).toBe('61685.99');
    expect(NumberFromString.decode(NumberFromString.encode(-0))).toEqual(E.right(-0));
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(NumberFromString.decode(NumberFromString.encode(n))).toEqual(E.right(n));
      }),
    );
  });

  it('is a number guard', () => {
    expect(NumberFromString.is(1.5)).toBe(true);
    expect(NumberFromString.is('1.5')).toBe(false);
    expect(NumberFromString.is(Infinity)).toBe(false);
  });
});
