import { describe, expect, test } from 'vitest';
import {
  baseAsset,
  byLength,
  intervalMillis,
  knownAt,
  plotTime,
  problemOf,
  quoteAsset,
  type DashboardEvent,
} from '../../../../../examples/crypto/dashboard/DashboardEvent.js';

const average: DashboardEvent = {
  type: 'average',
  symbol: 'BTCUSDT',
  windowStart: 0,
  windowEnd: 30_000,
  average_price: 1,
  count: 2,
  volume: 3,
};
const candle: DashboardEvent = {
  type: 'candle',
  symbol: 'BTCUSDT',
  interval: '1m',
  start: 60_000,
  end: 120_000,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
};

test('an average is drawn and known at its window end; a candle drawn at its start, known at its end', () => {
  expect([plotTime(average), knownAt(average)]).toEqual([30_000, 30_000]);
  expect([plotTime(candle), knownAt(candle)]).toEqual([60_000, 120_000]);
});

test('candle intervals', () => {
  expect(['1h', '15m', '1s', '1d', '1m'].sort(byLength)).toEqual(['1s', '1m', '15m', '1h', '1d']);
  expect(intervalMillis('15m')).toBe(900_000);
  expect(intervalMillis('0s')).toBeUndefined();
  expect(intervalMillis('1 minute')).toBeUndefined();
});

test('assets of a symbol', () => {
  expect([baseAsset('BTCUSDT'), quoteAsset('BTCUSDT')]).toEqual(['BTC', 'USDT']);
  expect([baseAsset('ETHBTC'), quoteAsset('ETHBTC')]).toEqual(['ETH', 'BTC']);
  expect(quoteAsset('USDT')).toBeUndefined();
});

describe('problemOf', () => {
  test('a well-formed event has none', () => {
    expect(problemOf(average)).toBeUndefined();
    expect(problemOf(candle)).toBeUndefined();
    expect(problemOf({ type: 'trade', symbol: 'BTCUSDT', time: 1, price: 2, qty: 3 })).toBeUndefined();
  });

  test('says what is wrong', () => {
    expect(problemOf(null)).toBe('not an object');
    expect(problemOf({ ...average, type: 'avg' })).toBe(
      `type must be 'average', 'candle' or 'trade', got "avg"`,
    );
    expect(problemOf({ ...average, symbol: 'BTC USDT' })).toMatch(/^symbol must be 1 to 40 letters/);
    expect(problemOf({ ...average, average_price: Number.NaN })).toBe(
      'average_price must be a finite number, got NaN',
    );
    expect(problemOf({ ...candle, interval: 'hourly' })).toBe(
      `interval must be a duration such as '1s', '1m' or '1h', got "hourly"`,
    );
  });
});
