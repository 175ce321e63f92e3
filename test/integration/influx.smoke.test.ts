import { flux, InfluxDB, Point } from '@influxdata/influxdb-client';
import { expect, test } from 'vitest';
import { createBucket, services, waitFor } from './helpers.js';

const POINTS = 10_000;
const MEASUREMENT = 'smoke';
const FIELD = 'value';

test('10,000 points written through the client are read back with Flux', async () => {
  const bucket = await createBucket();
  const { INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG } = services();
  const influx = new InfluxDB({ url: INFLUX_URL, token: INFLUX_TOKEN });

  // One millisecond apart within the last minute, so no two points share a series and a timestamp.
  const first = Date.now() - 60_000;
  const writer = influx.getWriteApi(INFLUX_ORG, bucket, 'ms', { batchSize: 5_000 });
  for (let i = 0; i < POINTS; i++) {
    writer.writePoint(
      new Point(MEASUREMENT)
        .tag('series', `s${i % 10}`)
        .intField(FIELD, i)
        .timestamp(first + i),
    );
  }
  await writer.close();

  const query = flux`from(bucket: ${bucket})
    |> range(start: -5m)
    |> filter(fn: (r) => r._measurement == ${MEASUREMENT})
    |> filter(fn: (r) => r._field == ${FIELD})`;
  const readAll = () => influx.getQueryApi(INFLUX_ORG).collectRows<{ _value: number; series: string }>(query);
  // A bucket created moments ago can answer with no rows for a short while after its first write was
  // acknowledged, so poll until all of the points are there.
  const rows = await waitFor(
    async () => {
      const found = await readAll();
      return found.length >= POINTS && found;
    },
    { timeoutMs: 30_000, what: `${POINTS} points queryable` },
  );

  expect(rows).toHaveLength(POINTS);
  const values = rows.map((row) => row._value).sort((a, b) => a - b);
  expect(values).toEqual(Array.from({ length: POINTS }, (_, i) => i));
  expect(rows.every((row) => row.series === `s${row._value % 10}`)).toBe(true);
});
