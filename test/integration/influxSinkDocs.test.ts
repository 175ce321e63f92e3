import { expect, test, vi } from 'vitest';
import { createBucket, services } from './helpers.js';
import { awaitPointCount, fluxRows } from './influxSinkHelpers.js';

test("the documentation's complete example writes its window result to InfluxDB", async () => {
  const bucket = await createBucket();
  const { INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG } = services();
  // The example reads its connection from the environment, as a deployment would.
  vi.stubEnv('INFLUX_URL', INFLUX_URL);
  vi.stubEnv('INFLUX_TOKEN', INFLUX_TOKEN);
  vi.stubEnv('INFLUX_TOKEN_FILE', '');
  vi.stubEnv('INFLUX_ORG', INFLUX_ORG);
  vi.stubEnv('INFLUX_BUCKET', bucket);
  try {
    await import('../../docs/examples/influxSink.js');
  } finally {
    vi.unstubAllEnvs();
  }

  await awaitPointCount(bucket, 'crypto_avg', 'average_price', 1);
  const rows = await fluxRows<{ _time: string; _value: number; symbol: string }>(`from(bucket: "${bucket}")
    |> range(start: 2024-08-08T00:00:00Z)
    |> filter(fn: (r) => r["_measurement"] == "crypto_avg")
    |> filter(fn: (r) => r["_field"] == "average_price")`);
  // crypto_avg,symbol=BTCUSDT average_price=64001 1723118400000
  expect(rows.map((r) => [r.symbol, r._value, Date.parse(r._time)])).toEqual([
    ['BTCUSDT', 64_001, 1_723_118_400_000],
  ]);
});
