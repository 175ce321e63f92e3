/**
 * A small replay for the dashboard until the example's `start` command feeds it: trades → 30 s moving
 * averages advancing by 5 s and tumbling candles per symbol, as {@link DashboardEvent}s. Used by
 * `npm run dashboard` (demo.ts) and the dashboard's browser test.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { map, type Observable } from 'rxjs';
import { aggregators, hopping, KStream, record, tumbling, type Duration } from '../../../src/index.js';
import { decodeTrade, type Trade } from '../trade.js';
import type { DashboardEvent } from './DashboardEvent.js';
import { candleEvent } from './dashboardFeed.js';

/** The bundled recording: BTCUSDT and ETHUSDT, 2024-08-08 23:54:15 → 2024-08-09 00:05:05 UTC. */
export const SAMPLE = fileURLToPath(new URL('../data/binance-trades-2024-08-08.jsonl.gz', import.meta.url));

/** Reads a JSON-lines file of Binance trade events (gzip when it ends in `.gz`); a bad line throws. */
export async function readTrades(file = SAMPLE): Promise<Trade[]> {
  const input = createReadStream(file);
  const lines = createInterface({ input: file.endsWith('.gz') ? input.pipe(createGunzip()) : input });
  const trades: Trade[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const decoded = decodeTrade(line);
    if (E.isLeft(decoded)) throw new Error(`${file} line ${n}: ${decoded.left}`);
    trades.push(decoded.right);
  }
  return trades;
}

export interface ReplayOptions {
  /** Candle intervals. Default `['1s', '1m']`. */
  readonly candles?: readonly string[];
  /** How far the watermark trails the latest trade. Default `'1m'`, as in the example. */
  readonly maxOutOfOrderness?: Duration.Duration;
}

/** The dashboard's results of batches of trades; windows close as the watermark passes them. */
export function replay(
  batches: Observable<readonly Trade[]>,
  options: ReplayOptions = {},
): Observable<DashboardEvent> {
  const trades = KStream.fromBatches(
    batches.pipe(map((batch) => batch.map((t) => record(null, t, t.time)))),
    { watermark: { maxOutOfOrderness: options.maxOutOfOrderness ?? '1m' } },
  );
  const bySymbol = trades.selectKey((t) => t.symbol);
  const averages = bySymbol
    .window(hopping('30s', '5s'))
    .aggregate(
      aggregators.combine({
        average_price: aggregators.mean((t: Trade) => t.price),
        count: aggregators.count<Trade>(),
        volume: aggregators.sum((t: Trade) => t.qty),
      }),
      { name: 'moving-average' },
    )
    .mapValues((r, { key }): DashboardEvent => ({
      type: 'average',
      symbol: key,
      windowStart: r.window.start,
      windowEnd: r.window.end,
      ...r.value,
    }));
  const candles = (options.candles ?? ['1s', '1m']).map((interval) =>
    bySymbol
      .window(tumbling(interval))
      .aggregate(aggregators.ohlcv({ price: (t: Trade) => t.price, volume: (t: Trade) => t.qty }), {
        name: `candles-${interval}`,
      })
      .mapValues((result, { key }): DashboardEvent => candleEvent(key, interval, result)),
  );
  return averages
    .merge(...candles)
    .records()
    .pipe(map((r) => r.value));
}
