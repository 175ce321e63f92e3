import { lastValueFrom, toArray } from 'rxjs';
import { expect, test } from 'vitest';
import type { DashboardEvent } from '../../../../../examples/crypto/dashboard/DashboardEvent.js';
import { candleEvent, dashboardFeed } from '../../../../../examples/crypto/dashboard/dashboardFeed.js';
import { record, type Candle, type WindowResult } from '../../../../../src/index.js';

const ohlcv: WindowResult<Candle, 'final'> = {
  emit: 'final',
  window: { start: 60_000, end: 120_000 },
  value: { open: 1, high: 3, low: 0.5, close: 2, volume: 7, trades: 4 },
};

test("the feed's sinks turn output records into events, in order, until the feed ends", async () => {
  const feed = dashboardFeed();
  const received = lastValueFrom(feed.events.pipe(toArray()));
  const candles = feed.sink((r: { key: string; value: WindowResult<Candle> }) =>
    candleEvent(r.key, '1m', r.value),
  );
  const averages = feed.sink<string, number>((r) =>
    r.value < 0
      ? undefined
      : [
          {
            type: 'average',
            symbol: r.key,
            windowStart: 0,
            windowEnd: 30_000,
            average_price: r.value,
            count: 1,
            volume: 1,
          },
        ],
  );
  candles.write([record('BTCUSDT', ohlcv, 60_000)]);
  averages.write([record('ETHUSDT', -1, 0), record('ETHUSDT', 2_683.8, 0)]);
  await expect(candles.flush()).resolves.toBeUndefined();
  feed.end();
  expect(await received).toEqual<DashboardEvent[]>([
    {
      type: 'candle',
      symbol: 'BTCUSDT',
      interval: '1m',
      start: 60_000,
      end: 120_000,
      open: 1,
      high: 3,
      low: 0.5,
      close: 2,
      volume: 7,
    },
    {
      type: 'average',
      symbol: 'ETHUSDT',
      windowStart: 0,
      windowEnd: 30_000,
      average_price: 2_683.8,
      count: 1,
      volume: 1,
    },
  ]);
});
