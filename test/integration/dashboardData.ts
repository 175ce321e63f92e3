import { bufferCount, from, lastValueFrom, toArray } from 'rxjs';
import type {
  AverageEvent,
  CandleEvent,
  DashboardEvent,
} from '../../examples/crypto/dashboard/DashboardEvent.js';
import { averagePoints, candlePoints, MEASUREMENTS } from '../../examples/crypto/influxSchema.js';
import { readTrades, replay } from '../../examples/crypto/dashboard/replay.js';
import { record } from '../../src/index.js';
import { influxSink } from '../../src/sinks/influxdb/index.js';
import { awaitPointCount, connectionTo } from './influxSinkHelpers.js';

/** The dashboard's results of the bundled trades, replayed to the end (1 s and 1 m candles). */
export async function replayedResults(): Promise<DashboardEvent[]> {
  const trades = await readTrades();
  return lastValueFrom(replay(from(trades).pipe(bufferCount(500))).pipe(toArray()));
}

/**
 * Writes results to `bucket` in the example's schema with `influxSink`, and waits until they can be read
 * (a bucket created moments ago may answer without a write it acknowledged, for a short while).
 */
export async function writeResults(bucket: string, events: readonly DashboardEvent[]): Promise<void> {
  const averages = events.filter((e): e is AverageEvent => e.type === 'average');
  const candles = events.filter((e): e is CandleEvent => e.type === 'candle');
  const averageSink = influxSink({ connection: connectionTo(bucket), point: averagePoints });
  const candleSink = influxSink({ connection: connectionTo(bucket), point: candlePoints });
  averageSink.write(averages.map((e) => record(null, e, e.windowStart)));
  candleSink.write(candles.map((e) => record(null, e, e.start)));
  await Promise.all([averageSink.flush(), candleSink.flush()]);
  await Promise.all([averageSink.close(), candleSink.close()]);
  for (const sink of [averageSink, candleSink]) {
    const { rejected, pending } = sink.stats();
    if (rejected > 0 || pending > 0)
      throw new Error(`${sink.name}: ${rejected} rejected, ${pending} pending`);
  }
  await awaitPointCount(bucket, MEASUREMENTS.average, 'average_price', averages.length);
  await awaitPointCount(bucket, MEASUREMENTS.candle, 'close', candles.length);
}
