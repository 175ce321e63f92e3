import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCaptureLine } from '../../../../examples/crypto/capture.js';
import { binanceTrade, decodeTrade } from '../../../../examples/crypto/trade.js';
import { BTC_TRADE, BTC_TRADE_2023, ETH_TRADE_0809 } from './lines.js';

const payloadOf = (line: string): string => {
  const parsed = parseCaptureLine(line);
  if (parsed._tag !== 'trade') throw new Error(`not a trade line: ${line}`);
  return parsed.payload;
};

const origin = { topic: 'trades', partition: 0, offset: '41' };
const decode = (text: string) => binanceTrade.deserialize(new TextEncoder().encode(text), origin);

/** The failure's paths, or the value when it decoded. */
const pathsOf = (text: string): readonly string[] | unknown => {
  const result = decode(text);
  return E.isLeft(result) ? result.left.paths : result.right;
};

const valid = { e: 'trade', s: 'BTCUSDT', p: '61837.63000000', q: '0.02000000', T: 1723161255342 };
const withField = (field: string, value: unknown): string => JSON.stringify({ ...valid, [field]: value });

describe('the trade codec on recorded trades', () => {
  it('decodes prices and quantities to the doubles their decimals denote, and keeps the other fields', () => {
    expect(decode(payloadOf(BTC_TRADE))).toEqual(
      E.right({
        e: 'trade',
        E: 1723161255343,
        s: 'BTCUSDT',
        t: 3735683259,
        p: 61837.63,
        q: 0.02,
        T: 1723161255342,
        m: true,
        M: true,
      }),
    );
    expect(decodeTrade(payloadOf(ETH_TRADE_0809))).toEqual(
      E.right({ symbol: 'ETHUSDT', price: 2682.51, qty: 0.0046, time: 1723161601550 }),
    );
  });

  it('decodes a 2023 trade, whose order ids the codec does not need', () => {
    expect(decodeTrade(payloadOf(BTC_TRADE_2023))).toEqual(
      E.right({ symbol: 'BTCUSDT', price: 28165.47, qty: 0.00056, time: 1680652799999 }),
    );
  });
});

describe('the trade codec on bad trades', () => {
  it.each([
    ['a word', 'abc'],
    ['an empty string', ''],
    ['zero', '0.00000000'],
    ['a negative price', '-61837.63'],
    ['hexadecimal', '0x10'],
    ['surrounding blanks', ' 61837.63'],
    ['Infinity', 'Infinity'],
    ['a decimal beyond the doubles', '1e400'],
    ['a JSON number', 61837.63],
    ['null', null],
  ])('rejects a price that is %s, naming the field and the value', (_what, price) => {
    expect(pathsOf(withField('p', price))).toEqual([
      `p: expected PositiveDecimal, got ${JSON.stringify(price)}`,
    ]);
  });

  it('accepts the decimal forms a plain decimal allows', () => {
    for (const price of ['1', '1.', '.5', '+2.5', '6.18e4']) {
      expect(E.isRight(decode(withField('p', price))), price).toBe(true);
    }
  });

  it('rejects a bad quantity the same way', () => {
    expect(pathsOf(withField('q', '-0.5'))).toEqual(['q: expected PositiveDecimal, got "-0.5"']);
    expect(pathsOf(withField('q', '0'))).toEqual(['q: expected PositiveDecimal, got "0"']);
  });

  it.each([
    ['a string', '1723161255342'],
    ['negative', -1],
    ['fractional', 1723161255342.5],
    ['missing', undefined],
  ])('rejects a trade time that is %s', (_what, time) => {
    expect(pathsOf(withField('T', time))).toEqual([
      `T: expected EpochMillis, got ${time === undefined ? 'undefined' : JSON.stringify(time)}`,
    ]);
  });

  it('rejects a message of another event type, or without a symbol; a missing event type is a trade', () => {
    expect(pathsOf(withField('e', 'aggTrade'))).toEqual([
      'e: expected ("trade" | undefined), got "aggTrade"',
    ]);
    expect(pathsOf(withField('e', undefined))).toMatchObject({ s: 'BTCUSDT', p: 61837.63 });
    expect(pathsOf(withField('s', ''))).toEqual(['s: expected NonEmptyString, got ""']);
  });

  it('names every bad field at once, and where the record is in the log', () => {
    const result = decode('{"e":"trade","s":"BTCUSDT","p":"abc","q":"-1","T":"x"}');
    expect(E.isLeft(result) && result.left).toMatchObject({
      code: 'DECODE_FAILED',
      reason: 'invalid-value',
      message:
        'json(BinanceTrade) cannot decode trades/0@41: p: expected PositiveDecimal, got "abc"; ' +
        'q: expected PositiveDecimal, got "-1"; T: expected EpochMillis, got "x"',
    });
  });

  it('rejects text that is not a JSON object', () => {
    expect(E.isLeft(decode('{"e":"trade"'))).toBe(true);
    expect(pathsOf('"garbage"')).toEqual(['(root): expected BinanceTrade, got "garbage"']);
    expect(decodeTrade('[]')).toEqual(
      E.left('json(BinanceTrade) cannot decode a value: (root): expected BinanceTrade, got []'),
    );
  });
});
