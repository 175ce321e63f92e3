import { describe, expect, test } from 'vitest';
import type { CandleEvent, DashboardEvent } from '../../../../../examples/crypto/dashboard/DashboardEvent.js';
import { inMemoryHistory } from '../../../../../examples/crypto/dashboard/inMemoryHistory.js';

const candle = (symbol: string, interval: string, start: number, close = 1): CandleEvent => ({
  type: 'candle',
  symbol,
  interval,
  start,
  end: start + (interval === '1s' ? 1_000 : 60_000),
  open: 1,
  high: 2,
  low: 1,
  close,
  volume: 1,
});
const average = (symbol: string, windowEnd: number, price = 1): DashboardEvent => ({
  type: 'average',
  symbol,
  windowStart: windowEnd - 30_000,
  windowEnd,
  average_price: price,
  count: 1,
  volume: 1,
});

describe('inMemoryHistory', () => {
  test("a query returns the symbol's averages by window end and candles by start, both ends inclusive", async () => {
    const history = inMemoryHistory();
    for (let s = 0; s < 10; s++) {
      history.add(candle('BTCUSDT', '1s', s * 1_000));
      history.add(candle('ETHUSDT', '1s', s * 1_000));
    }
    history.add(candle('BTCUSDT', '1m', 0));
    history.add(average('BTCUSDT', 5_000));
    history.add(average('BTCUSDT', 10_000));
    const found = await history.query('BTCUSDT', 2_000, 5_000);
    expect(found).toEqual([
      average('BTCUSDT', 5_000),
      candle('BTCUSDT', '1s', 2_000),
      candle('BTCUSDT', '1s', 3_000),
      candle('BTCUSDT', '1s', 4_000),
      candle('BTCUSDT', '1s', 5_000),
    ]);
    expect(await history.query('BTCUSDT', 0, 0, { intervals: ['1m'] })).toEqual([candle('BTCUSDT', '1m', 0)]);
  });

  test('out of order results are kept in time order; the same window again replaces it', async () => {
    const history = inMemoryHistory();
    history.add(candle('BTCUSDT', '1s', 3_000));
    history.add(candle('BTCUSDT', '1s', 1_000));
    history.add(candle('BTCUSDT', '1s', 2_000));
    history.add(candle('BTCUSDT', '1s', 1_000, 7));
    const found = (await history.query('BTCUSDT', 0, 10_000)) as CandleEvent[];
    expect(found.map((c) => [c.start, c.close])).toEqual([
      [1_000, 7],
      [2_000, 1],
      [3_000, 1],
    ]);
  });

  test('keeps at most `limit` results per series, dropping the oldest', async () => {
    const history = inMemoryHistory({ limit: 100 });
    for (let s = 0; s < 1_000; s++) history.add(candle('BTCUSDT', '1s', s * 1_000));
    for (let s = 0; s < 50; s++) history.add(average('BTCUSDT', s * 5_000));
    const candles = await history.query('BTCUSDT', 0, Infinity, { intervals: ['1s'] });
    expect(candles.filter((e) => e.type === 'candle').map((c) => (c as CandleEvent).start)).toEqual(
      Array.from({ length: 100 }, (_, i) => (900 + i) * 1_000),
    );
    expect(candles.filter((e) => e.type === 'average')).toHaveLength(50);
  });

  test('the extent names each symbol with its intervals and the latest window end; trades are not kept', async () => {
    const history = inMemoryHistory();
    expect(await history.extent()).toEqual({ symbols: {}, latest: undefined });
    history.add(candle('BTCUSDT', '1m', 60_000));
    history.add(candle('BTCUSDT', '1s', 0));
    history.add(average('ETHUSDT', 125_000));
    history.add({ type: 'trade', symbol: 'SOLUSDT', time: 999_999, price: 1, qty: 1 });
    expect(await history.extent()).toEqual({
      symbols: { BTCUSDT: ['1m', '1s'], ETHUSDT: [] },
      latest: 125_000,
    });
  });

  test('a limit that is not a positive whole number is refused', () => {
    expect(() => inMemoryHistory({ limit: 0 })).toThrow(/limit must be a positive whole number, got 0/);
  });
});
