// The only module of the dashboard that imports the InfluxDB client.
import { flux, InfluxDB, type QueryApi } from '@influxdata/influxdb-client';
import { configError, Duration, TributaryException } from '../../../src/index.js';
import { byLength, intervalMillis, type DashboardEvent } from './DashboardEvent.js';
import type { HistoryExtent, HistoryOptions, HistorySource } from './HistorySource.js';
import { MEASUREMENTS } from './influxSchema.js';

/** Where the example's results are stored; a token that may read the bucket. */
export interface InfluxHistoryConnection {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
}

/** Options of {@link influxHistory}. */
export interface InfluxHistoryOptions {
  /**
   * The moving average's window length: `crypto_avg` points are stamped with the window's start only, and
   * the dashboard draws an average at its window's end. Default `'30s'`.
   */
  readonly averageWindow?: Duration.Duration;
  /** How long a query may take. Default `'30s'`. */
  readonly timeout?: Duration.Duration;
}

interface AverageRow {
  readonly _time: string;
  readonly symbol: string;
  readonly average_price: number;
  readonly count: number;
  readonly volume: number;
}

interface CandleRow {
  readonly _time: string;
  readonly symbol: string;
  readonly interval: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

interface LastRow {
  readonly _time: string;
  readonly _measurement: string;
  readonly symbol: string;
  readonly interval?: string;
}

/**
 * The dashboard's history read from the InfluxDB the example writes to (see `influxSchema.ts`), with
 * Flux. The token stays on the server: the page asks the dashboard, never InfluxDB.
 *
 * @example
 * ```ts
 * const history = influxHistory({
 *   url: 'http://127.0.0.1:18086', token: process.env.INFLUX_TOKEN!, org: 'tributary', bucket: 'tributary',
 * });
 * const lastHour = await history.query('BTCUSDT', Date.now() - 3_600_000, Date.now(), { intervals: ['1m'] });
 * ```
 */
export function influxHistory(
  connection: InfluxHistoryConnection,
  options: InfluxHistoryOptions = {},
): HistorySource {
  const { url, token, org, bucket } = checkConnection(connection);
  const windowMs = Duration.unsafePositiveMillis(options.averageWindow ?? '30s', 'averageWindow');
  const timeout = Duration.unsafePositiveMillis(options.timeout ?? '30s', 'timeout');
  const queries: QueryApi = new InfluxDB({ url, token, timeout }).getQueryApi(org);
  // Flux's range() stops before `stop`; points are stored in ms, so `to + 1 ms` includes `to`.
  const time = (ms: number) => new Date(ms);

  return {
    async query(symbol, from, to, queryOptions: HistoryOptions = {}) {
      const intervals = queryOptions.intervals;
      const [averages, candles] = await Promise.all([
        queries.collectRows<AverageRow>(flux`from(bucket: ${bucket})
  |> range(start: ${time(from - windowMs)}, stop: ${time(to - windowMs + 1)})
  |> filter(fn: (r) => r._measurement == ${MEASUREMENTS.average} and r.symbol == ${symbol})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> sort(columns: ["_time"])`),
        intervals === undefined
          ? queries.collectRows<CandleRow>(flux`from(bucket: ${bucket})
  |> range(start: ${time(from)}, stop: ${time(to + 1)})
  |> filter(fn: (r) => r._measurement == ${MEASUREMENTS.candle} and r.symbol == ${symbol})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> sort(columns: ["_time"])`)
          : intervals.length === 0
            ? Promise.resolve([])
            : queries.collectRows<CandleRow>(flux`from(bucket: ${bucket})
  |> range(start: ${time(from)}, stop: ${time(to + 1)})
  |> filter(fn: (r) => r._measurement == ${MEASUREMENTS.candle} and r.symbol == ${symbol})
  |> filter(fn: (r) => contains(value: r.interval, set: ${intervals}))
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> sort(columns: ["_time"])`),
      ]);
      const events: DashboardEvent[] = averages.map((row) => {
        const windowStart = Date.parse(row._time);
        return {
          type: 'average',
          symbol: row.symbol,
          windowStart,
          windowEnd: windowStart + windowMs,
          average_price: row.average_price,
          count: row.count,
          volume: row.volume,
        };
      });
      for (const row of candles) {
        const length = intervalMillis(row.interval);
        if (length === undefined) continue; // not a candle interval the dashboard can draw
        const start = Date.parse(row._time);
        events.push({
          type: 'candle',
          symbol: row.symbol,
          interval: row.interval,
          start,
          end: start + length,
          open: row.open,
          high: row.high,
          low: row.low,
          close: row.close,
          volume: row.volume,
        });
      }
      return events;
    },

    async extent(): Promise<HistoryExtent> {
      // last() on one field per series is answered from the storage engine's index, without a scan.
      const rows = await queries.collectRows<LastRow>(flux`from(bucket: ${bucket})
  |> range(start: 0)
  |> filter(fn: (r) => (r._measurement == ${MEASUREMENTS.average} or r._measurement == ${MEASUREMENTS.candle}) and r._field == "volume")
  |> last()
  |> keep(columns: ["_time", "_measurement", "symbol", "interval"])`);
      const symbols: Record<string, string[]> = {};
      let latest: number | undefined;
      for (const row of rows) {
        const list = (symbols[row.symbol] ??= []);
        const start = Date.parse(row._time);
        const length =
          row._measurement === MEASUREMENTS.candle ? intervalMillis(row.interval ?? '') : windowMs;
        if (length === undefined) continue;
        if (row._measurement === MEASUREMENTS.candle) list.push(row.interval!);
        latest = Math.max(latest ?? -Infinity, start + length);
      }
      for (const list of Object.values(symbols)) list.sort(byLength);
      return { symbols, latest };
    },
  };
}

function checkConnection(connection: InfluxHistoryConnection): InfluxHistoryConnection {
  const fail = (field: string, problem: string): never => {
    throw new TributaryException(configError(field === '' ? 'connection' : `connection.${field}`, problem));
  };
  if (typeof connection !== 'object' || connection === null) fail('', 'must be an object');
  for (const field of ['url', 'token', 'org', 'bucket'] as const) {
    const value: unknown = connection[field];
    if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a non-empty string');
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(connection.url);
  } catch {
    fail('url', 'must be an http:// or https:// URL');
  }
  if (parsed!.protocol !== 'http:' && parsed!.protocol !== 'https:') {
    fail('url', 'must be an http:// or https:// URL');
  }
  // The URL is not repeated: it would show the credentials.
  if (parsed!.username !== '' || parsed!.password !== '') {
    fail('url', 'must not carry credentials: give the token as connection.token');
  }
  return connection;
}
