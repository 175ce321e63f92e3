import type { PointMapping } from '../../src/sinks/influxdb/index.js';

/**
 * The example's InfluxDB schema, which the dashboard and the Grafana provisioning read. A point's identity
 * is its measurement, tags and timestamp, and the timestamp is the window's start (ms), so a replay
 * overwrites its points instead of adding to them. Every field is a float (a field keeps the type it was
 * first written with, per shard). `vwap` and `trades` are written when the value has them (the `process`
 * application's results do; the dashboard's events do not).
 *
 * | measurement  | tags                 | fields                                                  |
 * | ------------ | -------------------- | ------------------------------------------------------- |
 * | `crypto_avg` | `symbol`             | `average_price`, `count`, `volume`, `vwap`              |
 * | `candles`    | `symbol`, `interval` | `open`, `high`, `low`, `close`, `volume`, `trades`      |
 */
export const MEASUREMENTS = { average: 'crypto_avg', candle: 'candles' } as const;

/** What a `crypto_avg` point is made of: a closed moving-average window. */
export interface AveragePoint {
  readonly symbol: string;
  readonly windowStart: number;
  readonly average_price: number;
  readonly count: number;
  readonly volume: number;
  readonly vwap?: number;
}

/** What a `candles` point is made of: a closed candle. */
export interface CandlePoint {
  readonly symbol: string;
  readonly interval: string;
  readonly start: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly trades?: number;
}

/** Moving averages as `crypto_avg` points, for `influxSink` from `tributary/influxdb`. */
export const averagePoints: PointMapping<unknown, AveragePoint> = {
  measurement: MEASUREMENTS.average,
  tags: { symbol: (r) => r.value.symbol },
  fields: {
    average_price: (r) => r.value.average_price,
    count: (r) => r.value.count,
    volume: (r) => r.value.volume,
    vwap: (r) => r.value.vwap,
  },
  timestamp: (r) => r.value.windowStart,
};

/** Candles as `candles` points, for `influxSink` from `tributary/influxdb`. */
export const candlePoints: PointMapping<unknown, CandlePoint> = {
  measurement: MEASUREMENTS.candle,
  tags: { symbol: (r) => r.value.symbol, interval: (r) => r.value.interval },
  fields: {
    open: (r) => r.value.open,
    high: (r) => r.value.high,
    low: (r) => r.value.low,
    close: (r) => r.value.close,
    volume: (r) => r.value.volume,
    trades: (r) => r.value.trades,
  },
  timestamp: (r) => r.value.start,
};
