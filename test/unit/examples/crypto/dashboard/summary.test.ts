import { describe, expect, test } from 'vitest';
import type { AverageEvent, CandleEvent } from '../../../../../examples/crypto/dashboard/DashboardEvent.js';
import {
  averageLine,
  defaultInterval,
  summarize,
} from '../../../../../examples/crypto/dashboard/web/summary.js';

const candle = (
  start: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): CandleEvent => ({
  type: 'candle',
  symbol: 'BTCUSDT',
  interval: '1m',
  start,
  end: start + 60_000,
  open,
  high,
  low,
  close,
  volume,
});
const average = (windowEnd: number, average_price: number): AverageEvent => ({
  type: 'average',
  symbol: 'BTCUSDT',
  windowStart: windowEnd - 30_000,
  windowEnd,
  average_price,
  count: 1,
  volume: 1,
});

describe('summarize', () => {
  const candles = [
    candle(180_000, 103, 108, 101, 106, 0.5),
    candle(0, 100, 104, 99, 102, 1.25),
    candle(60_000, 102, 105, 97, 101, 2),
    candle(120_000, 101, 103, 100, 103, 0.25),
  ];

  test('over the candles starting in the range, whatever their order', () => {
    expect(summarize(candles, 60_000, 180_000)).toEqual({
      candles: 3,
      current: 106,
      change: 106 - 102,
      changePercent: ((106 - 102) / 102) * 100,
      min: 97,
      max: 108,
      volume: 2.75,
    });
  });

  test('both ends of the range are inclusive; a candle starting before it is out', () => {
    expect(summarize(candles, 60_001, 180_000).candles).toBe(2);
    expect(summarize(candles, 0, 179_999)).toMatchObject({ candles: 3, current: 103, min: 97, max: 105 });
  });

  test('a trade after the last candle is the current price; one before it is not', () => {
    const trade = (time: number, price: number) => ({
      type: 'trade' as const,
      symbol: 'BTCUSDT',
      time,
      price,
      qty: 1,
    });
    expect(summarize(candles, 0, 300_000, trade(241_000, 109.5))).toMatchObject({
      current: 109.5,
      change: 9.5,
      max: 108,
    });
    expect(summarize(candles, 0, 300_000, trade(200_000, 90)).current).toBe(106);
  });

  test('an empty range has no numbers', () => {
    expect(summarize(candles, 500_000, 600_000)).toEqual({ candles: 0 });
  });
});

describe('averageLine', () => {
  const averages = [average(5_000, 1), average(10_000, 2), average(60_000, 3), average(65_000, 4)];

  test('on 1 s candles, each average is a point at the second holding its window end', () => {
    expect(averageLine(averages, 1_000, 0, 100_000)).toEqual([
      { time: 4_000, value: 1 },
      { time: 9_000, value: 2 },
      { time: 59_000, value: 3 },
      { time: 64_000, value: 4 },
    ]);
  });

  test('on 1 m candles, the latest window ending in each minute is its point', () => {
    expect(averageLine(averages, 60_000, 0, 100_000)).toEqual([
      { time: 0, value: 3 },
      { time: 60_000, value: 4 },
    ]);
  });

  test('only windows ending in the range', () => {
    expect(averageLine(averages, 1_000, 10_000, 60_000).map((p) => p.value)).toEqual([2, 3]);
  });
});

describe('defaultInterval', () => {
  const available = ['1m', '1s', '15m'];

  test('the shortest interval with at most 1,500 candles over the range', () => {
    expect(defaultInterval(available, 15 * 60_000)).toBe('1s');
    expect(defaultInterval(available, 3_600_000)).toBe('1m');
    expect(defaultInterval(available, 86_400_000)).toBe('1m');
    expect(defaultInterval(['1s', '15m'], 86_400_000)).toBe('15m');
  });

  test('the longest when none is long enough, and none without intervals', () => {
    expect(defaultInterval(['1s'], 86_400_000)).toBe('1s');
    expect(defaultInterval([], 900_000)).toBeUndefined();
  });
});
