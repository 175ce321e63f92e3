import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import type { Origin } from '../../../src/core/errors.js';
import { json } from '../../../src/codecs/json.js';
import { NumberFromString } from '../../../src/codecs/NumberFromString.js';
import { timestampMs } from '../../../src/codecs/timestampMs.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A Binance `<symbol>@trade` event as the exchange sends it: prices and quantities are strings. */
const BinanceTrade = t.type(
  {
    e: t.literal('trade'),
    s: t.string,
    t: t.number,
    p: t.string,
    q: t.string,
    T: timestampMs,
    m: t.boolean,
  },
  'BinanceTrade',
);

const tradeJson =
  '{"e":"trade","s":"BTCUSDT","t":3700000001,"p":"61685.99000000","q":"0.00162000","T":1723161600123,"m":true}';
const origin: Origin = { topic: 'binance.trades', partition: 3, offset: '1042' };

/** The failure of a deserialization that must fail. */
const failureOf = <L, A>(result: E.Either<L, A>): L => {
  if (E.isRight(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.right)}`);
  return result.left;
};

describe('json', () => {
  const trades = json(BinanceTrade);

  it('is named after its codec', () => {
    expect(trades.name).toBe('json(BinanceTrade)');
  });

  it('decodes a Binance trade', () => {
    expect(trades.deserialize(utf8(tradeJson), origin)).toEqual(
      E.right({
        e: 'trade',
        s: 'BTCUSDT',
        t: 3_700_000_001,
        p: '61685.99000000',
        q: '0.00162000',
        T: 1_723_161_600_123,
        m: true,
      }),
    );
  });

  it('round-trips a value through UTF-8 JSON text', () => {
    const trade = JSON.parse(tradeJson) as t.TypeOf<typeof BinanceTrade>;
    const bytes = trades.serialize(trade);
    expect(text(bytes)).toBe(tradeJson);
    expect(trades.deserialize(bytes)).toEqual(E.right(trade));
  });

  it('serializes with the codec’s encode and deserializes with its decode', () => {
    const Tick = t.type({ s: t.string, p: NumberFromString }, 'Tick');
    const ticks = json(Tick);
    const bytes = ticks.serialize({ s: 'ETHUSDT', p: 3100.5 });
    expect(text(bytes)).toBe('{"s":"ETHUSDT","p":"3100.5"}');
    expect(ticks.deserialize(utf8('{"s":"ETHUSDT","p":"3100.50000000"}'))).toEqual(
      E.right({ s: 'ETHUSDT', p: 3100.5 }),
    );
  });

  it('keeps non-ASCII text and skips a leading byte order mark', () => {
    const Note = t.type({ text: t.string });
    const notes = json(Note);
    expect(notes.deserialize(notes.serialize({ text: 'Zürich → 東京 🚀' }))).toEqual(
      E.right({ text: 'Zürich → 東京 🚀' }),
    );
    expect(notes.deserialize(utf8('\uFEFF{"text":"a"}'))).toEqual(E.right({ text: 'a' }));
  });

  it('reads bytes at an offset in a larger buffer, as a Node Buffer slice is', () => {
    const whole = utf8(`xx${tradeJson}yy`);
    const slice = whole.subarray(2, whole.length - 2);
    expect(E.isRight(trades.deserialize(slice))).toBe(true);
  });

  describe('failures are values', () => {
    it('a price sent as a number instead of a string names the path, the type and the value', () => {
      const failure = failureOf(trades.deserialize(utf8(tradeJson.replace('"61685.99000000"', '61685.99'))));
      expect(failure).toEqual({
        _tag: 'TributaryError',
        code: 'DECODE_FAILED',
        retriable: false,
        reason: 'invalid-value',
        serde: 'json(BinanceTrade)',
        paths: ['p: expected string, got 61685.99'],
        message: 'json(BinanceTrade) cannot decode a value: p: expected string, got 61685.99',
      });
    });

    it('a missing trade time', () => {
      const failure = failureOf(trades.deserialize(utf8(tradeJson.replace(',"T":1723161600123', ''))));
      expect(failure.reason).toBe('invalid-value');
      expect(failure.paths).toEqual(['T: expected timestampMs, got undefined']);
    });

    it('every bad field, in the codec’s order', () => {
      const failure = failureOf(
        trades.deserialize(utf8('{"e":"kline","s":"BTCUSDT","t":1,"p":1,"q":"1","T":-5}')),
      );
      expect(failure.paths).toEqual([
        'e: expected "trade", got "kline"',
        'p: expected string, got 1',
        'T: expected timestampMs, got -5',
        'm: expected boolean, got undefined',
      ]);
      expect(failure.message).toBe(
        'json(BinanceTrade) cannot decode a value: e: expected "trade", got "kline"; p: expected string, got 1; T: expected timestampMs, got -5; and 1 more',
      );
    });

    it('JSON that is not an object', () => {
      const failure = failureOf(trades.deserialize(utf8('[1,2]')));
      expect(failure.paths).toEqual(['(root): expected BinanceTrade, got [1,2]']);
    });

    it('invalid JSON, with the parser’s error as the cause', () => {
      const failure = failureOf(trades.deserialize(utf8('{"e":"trade",'), origin));
      expect(failure.reason).toBe('invalid-json');
      expect(failure.paths).toEqual([]);
      expect(failure.cause).toBeInstanceOf(SyntaxError);
      expect(failure.message).toBe(
        `json(BinanceTrade) cannot decode binance.trades/3@1042: not valid JSON (${(failure.cause as Error).message})`,
      );
    });

    it('empty bytes are invalid JSON', () => {
      expect(failureOf(trades.deserialize(new Uint8Array(0))).reason).toBe('invalid-json');
    });

    it.each([
      ['a lone continuation byte', [0x7b, 0x80, 0x7d]],
      ['an invalid byte', [0x22, 0xff, 0x22]],
      ['a truncated sequence', [0x22, 0xe2, 0x82, 0x22]],
      ['an overlong encoding', [0x22, 0xc0, 0xaf, 0x22]],
      ['an encoded surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ])('invalid UTF-8: %s', (_what, bytes) => {
      const failure = failureOf(trades.deserialize(new Uint8Array(bytes), origin));
      expect(failure).toMatchObject({ code: 'DECODE_FAILED', reason: 'invalid-utf8', paths: [] });
      expect(failure.message).toBe(
        'json(BinanceTrade) cannot decode binance.trades/3@1042: the bytes are not valid UTF-8',
      );
    });

    it('a null value (tombstone)', () => {
      expect(failureOf(trades.deserialize(null, origin))).toEqual({
        _tag: 'TributaryError',
        code: 'DECODE_FAILED',
        retriable: false,
        reason: 'null',
        serde: 'json(BinanceTrade)',
        paths: [],
        origin,
        message: 'json(BinanceTrade) cannot decode binance.trades/3@1042: the value is null',
      });
    });

    it('a JSON null is a value of the wrong shape, not a tombstone', () => {
      expect(failureOf(trades.deserialize(utf8('null'))).paths).toEqual([
        '(root): expected BinanceTrade, got null',
      ]);
    });

    it('carries the origin into a shape failure', () => {
      const failure = failureOf(trades.deserialize(utf8('{}'), origin));
      expect(failure.origin).toEqual(origin);
      expect(failure.message).toMatch(/^json\(BinanceTrade\) cannot decode binance\.trades\/3@1042: e: /);
    });

    it('has no origin when none is given', () => {
      expect(failureOf(trades.deserialize(utf8('{}')))).not.toHaveProperty('origin');
    });

    it('a number too large for a double is not finite', () => {
      const Reading = t.type({ T: timestampMs });
      expect(failureOf(json(Reading).deserialize(utf8('{"T":1e400}'))).paths).toEqual([
        'T: expected timestampMs, got Infinity',
      ]);
    });
  });

  it('deserialize(serialize(a)) is a, for random values of a codec', () => {
    const Order = t.type(
      {
        symbol: t.string,
        price: NumberFromString,
        qty: t.number,
        time: timestampMs,
        buy: t.boolean,
        note: t.union([t.string, t.null]),
        tags: t.array(t.string),
      },
      'Order',
    );
    const orders = json(Order);
    // JSON has no -0: it is written as 0.
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
    const order = fc.record({
      symbol: fc.string({ unit: 'binary' }),
      price: finite,
      qty: finite,
      time: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      buy: fc.boolean(),
      note: fc.option(fc.string({ unit: 'grapheme' }), { nil: null }),
      tags: fc.array(fc.string()),
    });
    fc.assert(
      fc.property(order, (a) => {
        expect(orders.deserialize(orders.serialize(a))).toEqual(E.right(a));
      }),
    );
  });
});
