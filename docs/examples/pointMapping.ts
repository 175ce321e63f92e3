import type { Candle, WindowResult } from '../../src/index.js';
import { integerField, unsignedField, type PointMapping } from '../../src/sinks/influxdb/index.js';

// One point per symbol, interval and minute; the key is the symbol.
export const candles: PointMapping<string, WindowResult<Candle>> = {
  measurement: 'candles',
  tags: { symbol: (r) => r.key, interval: () => '1m' },
  fields: {
    open: (r) => r.value.value.open,
    high: (r) => r.value.value.high,
    low: (r) => r.value.value.low,
    close: (r) => r.value.value.close,
    volume: (r) => r.value.value.volume,
    trades: integerField((r) => r.value.value.trades),
  },
  // The default: the window's start. A candle could as well be stamped with its window's end.
  timestamp: (r) => r.value.window.start,
  precision: 's', // minutes are whole seconds; InfluxDB stores them in seconds
};

interface Transfer {
  readonly account: string;
  readonly bytes: bigint;
  readonly note: string | null;
  readonly at: number;
}

// A plain stream: the measurement per record, an unsigned counter, a string field that may be absent.
export const transfers: PointMapping<string, Transfer> = {
  measurement: (r) => (r.value.bytes > 1_000_000n ? 'transfers_large' : 'transfers'),
  tags: { account: (r) => r.value.account },
  fields: { bytes: unsignedField((r) => r.value.bytes), note: (r) => r.value.note },
  timestamp: (r) => r.value.at,
};
