import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { finiteNumber } from '../../../src/codecs/finiteNumber.js';

describe('finiteNumber', () => {
  it.each([0, -0.5, 1e300, -1e300, Number.MIN_VALUE])('accepts %d', (n) => {
    expect(finiteNumber.decode(n)).toEqual(E.right(n));
    expect(finiteNumber.is(n)).toBe(true);
  });

  it.each([NaN, Infinity, -Infinity, '1', null, undefined])('rejects %s', (u) => {
    expect(E.isLeft(finiteNumber.decode(u))).toBe(true);
    expect(finiteNumber.is(u)).toBe(false);
  });

  it('encodes as itself', () => {
    expect(finiteNumber.encode(2.5)).toBe(2.5);
  });
});
