import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { parsedJsonCheck, REJECTED } from '../../../src/codecs/parsedJsonCheck.js';
import { finiteNumber } from '../../../src/codecs/finiteNumber.js';
import { NumberFromString } from '../../../src/codecs/NumberFromString.js';
import { timestampMs } from '../../../src/codecs/timestampMs.js';

const Trade = t.type({
  e: t.literal('trade'),
  s: t.string,
  p: NumberFromString,
  q: NumberFromString,
  T: timestampMs,
  m: t.boolean,
});

const Nested = t.type({
  id: t.keyof({ a: null, b: null }),
  book: t.type({ bids: t.array(t.tuple([NumberFromString, NumberFromString])), at: finiteNumber }),
  note: t.union([t.string, t.null, t.undefined]),
  any: t.unknown,
  nothing: t.null,
  tags: t.readonly(t.array(t.string)),
  extra: t.partial({ x: t.number }),
});

/** Mostly a valid value, sometimes any JSON value in its place. */
const mostly = <A>(valid: fc.Arbitrary<A>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: fc.jsonValue(), weight: 1 });
const decimal = fc.oneof(
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), weight: 8 },
  { arbitrary: fc.constantFrom('1e400', '0x10', ' 1', '', '-0', '.5'), weight: 1 },
);
/** Records shaped like the codec's input, with a key missing or a field broken now and then. */
const shaped = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> => {
  const keys = Object.keys(fields).filter((k) => k !== 'other');
  return fc.oneof(
    { arbitrary: fc.record(fields, { requiredKeys: keys }), weight: 4 },
    { arbitrary: fc.record(fields, { requiredKeys: [] }), weight: 1 },
    { arbitrary: fc.jsonValue(), weight: 1 },
  );
};
const tradeLike = shaped({
  e: mostly(fc.constant('trade')),
  s: mostly(fc.string()),
  p: mostly(decimal),
  q: mostly(decimal),
  T: mostly(fc.oneof(fc.nat(), fc.double())),
  m: mostly(fc.boolean()),
  other: fc.jsonValue(),
});
const nestedLike = shaped({
  id: mostly(fc.constantFrom('a', 'b', 'c', 'toString')),
  book: mostly(
    fc.record({ bids: fc.array(fc.tuple(decimal, decimal)), at: mostly(fc.double({ noNaN: true })) }),
  ),
  note: mostly(fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined))),
  any: fc.jsonValue(),
  nothing: mostly(fc.constant(null)),
  tags: mostly(fc.array(fc.string())),
  extra: mostly(fc.record({ x: mostly(fc.integer()) }, { requiredKeys: [] })),
  other: fc.jsonValue(),
});

/** Each codec with inputs shaped like it, valid and not. */
const CASES = [
  ['a flat record of scalars', Trade, tradeLike],
  ['nested records, unions, arrays and partials', Nested, nestedLike],
] as const;

describe('parsedJsonCheck', () => {
  it.each(CASES)('accepts %s exactly when codec.decode does, with its value', (_, type, input) => {
    const codec = type as t.Decoder<unknown, unknown>;
    const check = parsedJsonCheck(codec);
    // Both outcomes must be common, or the comparison proves little.
    const decoded = fc.sample(input, 1_000).filter((u) => E.isRight(codec.decode(u))).length;
    expect(decoded).toBeGreaterThan(50);
    expect(decoded).toBeLessThan(950);
    fc.assert(
      fc.property(input, (u) => {
        const text = JSON.stringify(u);
        if (text === undefined) return;
        const expected = codec.decode(JSON.parse(text));
        const value = check(JSON.parse(text));
        if (E.isRight(expected)) expect(value).toStrictEqual(expected.right);
        else expect(value).toBe(REJECTED);
      }),
      { numRuns: 2_000 },
    );
  });

  it('converts the parsed value in place, without a copy', () => {
    const parsed: unknown = JSON.parse('{"e":"trade","s":"BTCUSDT","p":"1.5","q":"2","T":7,"m":false}');
    expect(parsedJsonCheck(Trade)(parsed)).toBe(parsed);
    expect(parsed).toStrictEqual({ e: 'trade', s: 'BTCUSDT', p: 1.5, q: 2, T: 7, m: false });
  });
});
