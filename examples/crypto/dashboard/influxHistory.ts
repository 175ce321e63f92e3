// The only module of the dashboard that imports the InfluxDB client.
import { readFileSync } from 'node:fs';
import { flux, InfluxDB, type QueryApi } from '@influxdata/influxdb-client';
import { configError, Duration, TributaryException } from '../../../src/index.js';
import type { InfluxConnection } from '../../../src/sinks/influxdb/index.js';
import { byLength, intervalMillis, type DashboardEvent } from './DashboardEvent.js';
import type { HistoryExtent, HistoryOptions, HistorySource } from './HistorySource.js';
import { MEASUREMENTS } from '../influxSchema.js';

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
 * The dashboard's history read from the InfluxDB the example writes to (see `../influxSchema.ts`), with
 * Flux. The connection is the sink's (`InfluxConnection` from `tributary/influxdb`), with the same
 * environment fallbacks, so one value serves both. The token stays on the server: the page asks the
 * dashboard, never InfluxDB.
 *
 * @example
 * ```ts
 * // The token from INFLUX_TOKEN or INFLUX_TOKEN_FILE, like the sink's.
 * const history = influxHistory({ url: 'http://127.0.0.1:18086', org: 'tributary', bucket: 'tributary' });
 * const lastHour = await history.query('BTCUSDT', Date.now() - 3_600_000, Date.now(), { intervals: ['1m'] });
 * ```
 */
export function influxHistory(
  connection: InfluxConnection = {},
  options: InfluxHistoryOptions = {},
): HistorySource {
  const { url, token, org, bucket } = resolveConnection(connection, process.env);
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

interface Resolved {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
}

// The sink resolves its connection inside tributary/influxdb; these are its rules, for the same value.
/** Fills what `connection` leaves out from the environment; the error names the field, never the token. */
export function resolveConnection(
  connection: InfluxConnection,
  env: Readonly<Record<string, string | undefined>>,
): Resolved {
  const fail = (field: string, problem: string): never => {
    throw new TributaryException(configError(field, problem));
  };
  if (typeof connection !== 'object' || connection === null) fail('connection', 'must be an object');
  const value = (field: 'url' | 'org' | 'bucket', variable: string): string => {
    const given: unknown = connection[field];
    if (given !== undefined) {
      if (typeof given !== 'string' || given.trim() === '')
        fail(`connection.${field}`, 'must be a non-empty string');
      return (given as string).trim();
    }
    const fromEnv = env[variable]?.trim();
    return fromEnv
      ? fromEnv
      : fail(`connection.${field}`, `is required: give connection.${field} or set ${variable}`);
  };
  const url = value('url', 'INFLUX_URL');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    fail('connection.url', 'must be an http:// or https:// URL');
  }
  if (parsed!.protocol !== 'http:' && parsed!.protocol !== 'https:') {
    fail('connection.url', 'must be an http:// or https:// URL');
  }
  // The URL is not repeated: it would show the credentials.
  if (parsed!.username !== '' || parsed!.password !== '') {
    fail('connection.url', 'must not carry credentials: give the token as connection.token');
  }
  const tokenFile =
    connection.tokenFile ?? (connection.token === undefined ? env.INFLUX_TOKEN_FILE : undefined);
  if (connection.token !== undefined && connection.tokenFile !== undefined) {
    fail('connection.token', 'and connection.tokenFile exclude each other: give one');
  }
  let token = connection.token ?? (tokenFile === undefined ? env.INFLUX_TOKEN : undefined);
  if (tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8');
    } catch (error) {
      fail('connection.tokenFile', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  token = token?.trim();
  if (!token) {
    fail(
      'connection.token',
      'is required: give connection.token or connection.tokenFile, or set INFLUX_TOKEN or INFLUX_TOKEN_FILE',
    );
  }
  return { url, token: token!, org: value('org', 'INFLUX_ORG'), bucket: value('bucket', 'INFLUX_BUCKET') };
}
