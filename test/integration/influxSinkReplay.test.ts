import * as t from 'io-ts';
import { expect, test } from 'vitest';
import {
  aggregators,
  Application,
  fromField,
  hopping,
  json,
  MemoryLog,
  memoryTransport,
  type WindowResult,
} from '../../src/index.js';
import { influxSink, integerField } from '../../src/sinks/influxdb/index.js';
import { createBucket, uniqueName } from './helpers.js';
import { awaitPointCount, connectionTo, fluxRows, pointCount } from './influxSinkHelpers.js';

const Reading = t.type({ sensor: t.string, value: t.number, at: t.number });
type Reading = t.TypeOf<typeof Reading>;

const SENSORS = 8;
const READINGS = 4_000;
const START = Date.UTC(2024, 7, 8, 0, 0, 0);

/** Readings every 50 ms, round-robin over the sensors, on 2 partitions; a far-future one closes the windows. */
function readingsLog(): MemoryLog {
  const log = new MemoryLog();
  log.createTopic('readings', { partitions: 2 });
  const encode = (r: Reading) => new TextEncoder().encode(JSON.stringify(r));
  log.produce(
    'readings',
    Array.from({ length: READINGS }, (_, i) => ({
      key: null,
      value: encode({ sensor: `sensor-${i % SENSORS}`, value: (i % 89) * 1.25, at: START + i * 50 }),
      partition: i % 2,
    })),
  );
  log.produce(
    'readings',
    [0, 1].map((partition) => ({
      key: null,
      value: encode({ sensor: 'closer', value: 0, at: START + 86_400_000 }),
      partition,
    })),
  );
  return log;
}

/** Runs the windowed pipeline over the whole log into the bucket; returns how many points it wrote. */
async function runPipeline(log: MemoryLog, bucket: string): Promise<number> {
  const app = new Application({ applicationId: uniqueName(), transport: memoryTransport(log) });
  const readings = app.source({
    topic: 'readings',
    value: json(Reading),
    timestamp: fromField((r: Reading) => r.at),
    watermark: { maxOutOfOrderness: '1s' },
  });
  const stats = readings
    .selectKey((r) => r.sensor)
    .window(hopping('10s', '5s'))
    .aggregate(
      aggregators.combine({
        mean: aggregators.mean((r: Reading) => r.value),
        count: aggregators.count(),
      }),
    );
  const sink = influxSink<string, WindowResult<{ mean: number; count: number }, 'final'>>({
    connection: connectionTo(bucket),
    point: {
      measurement: 'sensor_stats',
      tags: { sensor: (r) => r.key },
      fields: { mean: (r) => r.value.value.mean, readings: integerField((r) => r.value.value.count) },
    },
  });
  app.to(stats, sink);
  await app.start();
  await app.caughtUp();
  await app.stop();
  return sink.stats().written;
}

const allPoints = (bucket: string) =>
  fluxRows<{ _time: string; _field: string; _value: number; sensor: string }>(`from(bucket: "${bucket}")
    |> range(start: 0)
    |> filter(fn: (r) => r["_measurement"] == "sensor_stats")
    |> keep(columns: ["_time", "_field", "_value", "sensor"])`).then((rows) =>
    rows.map((r) => `${r.sensor} ${r._time} ${r._field}=${r._value}`).sort((a, b) => a.localeCompare(b)),
  );

test('results written twice (a replay from the start) overwrite the same points: the count does not change', async () => {
  const bucket = await createBucket();
  const log = readingsLog();

  const first = await runPipeline(log, bucket);
  // 200 s of readings: 40 windows of 10 s every 5 s (and the one before the first), for each sensor.
  expect(first).toBe(SENSORS * 41);
  await awaitPointCount(bucket, 'sensor_stats', 'mean', first);
  const before = await allPoints(bucket);
  expect(before).toHaveLength(first * 2); // two fields per point

  // Another application reading the same log from its start writes every result again.
  const second = await runPipeline(log, bucket);
  expect(second).toBe(first);
  expect(await pointCount(bucket, 'sensor_stats', 'mean')).toBe(first);
  expect(await pointCount(bucket, 'sensor_stats', 'readings')).toBe(first);
  expect(await allPoints(bucket)).toEqual(before);
});
