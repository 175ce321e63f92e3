import type { PointMapping } from '../../../src/sinks/influxdb/index.js';
import type { AverageEvent, CandleEvent } from './DashboardEvent.js';

/**
 * The example's InfluxDB schema, which the dashboard and the Grafana provisioning read. A point's identity
 * is its measurement, tags and timestamp, and the timestamp is the window's start (ms), so a replay
 * overwrites its points instead of adding to them. Every field is a float, as the example's application
 * writes them (a field keeps the type it was first written with, per shard): readers may find more
 * fields (`vwap`, `trades`) and ignore them.
 *
 * | measurement  | tags                 | fields                                         |
 * | ------------ | -------------------- | ---------------------------------------------- |
 * | `crypto_avg` | `symbol`             | `average_price`, `count`, `volume`             |
 * | `candles`    | `symbol`, `interval` | `open`, `high`, `low`, `close`, `volume`       |
 */
export const MEASUREMENTS = { average: 'crypto_avg', candle: 'candles' } as const;

/** Moving averages as `crypto_avg` points, for `influxSink` from `tributary/influxdb`. */
export const averagePoints: PointMapping<unknown, AverageEvent> = {
  measurement: MEASUREMENTS.average,
  tags: { symbol: (r) => r.value.symbol },
  fields: {
    average_price: (r) => r.value.average_price,
    count: (r) => r.value.count,
    volume: (r) => r.value.volume,
  },
  timestamp: (r) => r.value.windowStart,
};

/** Candles as `candles` points, for `influxSink` from `tributary/influxdb`. */
export const candlePoints: PointMapping<unknown, CandleEvent> = {
  measurement: MEASUREMENTS.candle,
  tags: { symbol: (r) => r.value.symbol, interval: (r) => r.value.interval },
  fields: {
    open: (r) => r.value.open,
    high: (r) => r.value.high,
    low: (r) => r.value.low,
    close: (r) => r.value.close,
    volume: (r) => r.value.volume,
  },
  timestamp: (r) => r.value.start,
};
