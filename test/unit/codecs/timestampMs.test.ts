import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { timestampMs } from '../../../src/codecs/timestampMs.js';

describe('timestampMs', () => {
  it.each([0, 1_723_161_600_123, 1.5])('accepts %d', (t) => {
    expect(timestampMs.decode(t)).toEqual(E.right(t));
    expect(timestampMs.is(t)).toBe(true);
  });

  it.each([-1, NaN, Infinity, '1723161600123', null, undefined])('rejects %s', (u) => {
    expect(E.isLeft(timestampMs.decode(u))).toBe(true);
    expect(timestampMs.is(u)).toBe(false);
  });

  it('encodes as itself', () => {
    expect(timestampMs.encode(1_723_161_600_123)).toBe(1_723_161_600_123);
  });
});
