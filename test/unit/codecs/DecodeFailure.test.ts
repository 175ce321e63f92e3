import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decodeFailure, formatDecodeFailure, reportPaths } from '../../../src/codecs/DecodeFailure.js';
import { NumberFromString } from '../../../src/codecs/NumberFromString.js';

/** The path lines of a value the codec must reject. */
const pathsOf = <A, O>(codec: t.Type<A, O, unknown>, value: unknown): string[] => {
  const result = codec.decode(value);
  if (E.isRight(result)) throw new Error('expected the codec to reject the value');
  return reportPaths(result.left);
};

describe('reportPaths', () => {
  it('names nested keys and array indexes with dots', () => {
    const Depth = t.type({ data: t.type({ bids: t.array(t.tuple([NumberFromString, NumberFromString])) }) });
    expect(
      pathsOf(Depth, {
        data: {
          bids: [
            ['1', '2'],
            ['3', 4],
          ],
        },
      }),
    ).toEqual(['data.bids.1.1: expected NumberFromString, got 4']);
  });

  it('reports the root as (root)', () => {
    expect(pathsOf(t.string, 42)).toEqual(['(root): expected string, got 42']);
  });

  it('reports a missing key as undefined', () => {
    expect(pathsOf(t.type({ T: t.number }), {})).toEqual(['T: expected number, got undefined']);
  });

  it('reports a value that fits no member of a union once, against the union', () => {
    const Note = t.type({ note: t.union([t.string, t.null]) });
    expect(pathsOf(Note, { note: 5 })).toEqual(['note: expected (string | null), got 5']);
  });

  it('adds no segment for a union or an intersection member', () => {
    const Event = t.union([
      t.type({ kind: t.literal('trade'), p: t.string }),
      t.type({ kind: t.literal('quote'), bid: t.string }),
    ]);
    expect(pathsOf(Event, { kind: 'quote', bid: 1 })).toEqual(['bid: expected string, got 1']);
    const Tick = t.intersection([t.type({ s: t.string }), t.partial({ q: t.string })]);
    expect(pathsOf(Tick, { s: 1, q: 2 })).toEqual(['s: expected string, got 1', 'q: expected string, got 2']);
  });

  it('uses a codec’s own failure message', () => {
    const Even = new t.Type<number, number, unknown>(
      'Even',
      (u): u is number => typeof u === 'number' && u % 2 === 0,
      (u, c) => (typeof u === 'number' && u % 2 === 0 ? t.success(u) : t.failure(u, c, 'must be even')),
      t.identity,
    );
    expect(pathsOf(t.type({ n: Even }), { n: 3 })).toEqual(['n: must be even']);
  });

  it('cuts a long value at 80 characters', () => {
    const [line] = pathsOf(t.type({ n: t.number }), { n: 'x'.repeat(500) });
    expect(line).toBe(`n: expected number, got "${'x'.repeat(78)}…`);
  });

  it('shows values JSON cannot write', () => {
    expect(pathsOf(t.string, NaN)).toEqual(['(root): expected string, got NaN']);
    expect(pathsOf(t.string, 10n)).toEqual(['(root): expected string, got 10']);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(pathsOf(t.string, cyclic)).toEqual(['(root): expected string, got [object Object]']);
  });
});

describe('decodeFailure', () => {
  it('is a TributaryError with code DECODE_FAILED', () => {
    const cause = new SyntaxError('Unexpected end of JSON input');
    expect(
      decodeFailure('json(Trade)', 'invalid-json', {
        origin: { topic: 'trades', partition: 2, offset: '17' },
        cause,
      }),
    ).toEqual({
      _tag: 'TributaryError',
      code: 'DECODE_FAILED',
      retriable: false,
      serde: 'json(Trade)',
      reason: 'invalid-json',
      paths: [],
      origin: { topic: 'trades', partition: 2, offset: '17' },
      cause,
      message: 'json(Trade) cannot decode trades/2@17: not valid JSON (Unexpected end of JSON input)',
    });
  });

  it('has no origin or cause keys unless given', () => {
    const failure = decodeFailure('raw', 'null', { origin: undefined, cause: undefined });
    expect(Object.keys(failure).sort()).toEqual(
      ['_tag', 'code', 'message', 'paths', 'reason', 'retriable', 'serde'].sort(),
    );
  });
});

describe('formatDecodeFailure', () => {
  const base = { serde: 'json(Trade)', reason: 'invalid-value', paths: [] } as const;

  it('names the origin when it is known', () => {
    expect(formatDecodeFailure({ ...base, reason: 'null' })).toBe(
      'json(Trade) cannot decode a value: the value is null',
    );
    expect(
      formatDecodeFailure({
        ...base,
        reason: 'null',
        origin: { topic: 'trades', partition: 0, offset: '5' },
      }),
    ).toBe('json(Trade) cannot decode trades/0@5: the value is null');
  });

  it('names three paths and counts the rest', () => {
    const paths = ['a: 1', 'b: 2', 'c: 3', 'd: 4', 'e: 5'];
    expect(formatDecodeFailure({ ...base, paths })).toBe(
      'json(Trade) cannot decode a value: a: 1; b: 2; c: 3; and 2 more',
    );
  });

  it('says something for every reason', () => {
    expect(formatDecodeFailure({ ...base, reason: 'invalid-utf8' })).toBe(
      'json(Trade) cannot decode a value: the bytes are not valid UTF-8',
    );
    expect(formatDecodeFailure({ ...base, reason: 'invalid-json' })).toBe(
      'json(Trade) cannot decode a value: not valid JSON',
    );
    expect(formatDecodeFailure(base)).toBe('json(Trade) cannot decode a value: invalid value');
  });

  it('is what a failure’s message says', () => {
    const failure = decodeFailure('string', 'invalid-utf8', {
      origin: { topic: 'k', partition: 1, offset: '2' },
    });
    expect(formatDecodeFailure(failure)).toBe(failure.message);
  });
});
