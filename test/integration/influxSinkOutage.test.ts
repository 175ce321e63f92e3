import { setTimeout as delay } from 'node:timers/promises';
import * as t from 'io-ts';
import { expect, onTestFinished, test } from 'vitest';
import { Application, json, MemoryLog, memoryTransport } from '../../src/index.js';
import { influxSink } from '../../src/sinks/influxdb/index.js';
import { INFLUX_SETUP } from '../../scripts/services.mjs';
import { services, uniqueName, waitFor } from './helpers.js';
import {
  awaitPointCount,
  canRunPrivateInflux,
  connectionTo,
  fluxRows,
  privateInflux,
} from './influxSinkHelpers.js';

const Reading = t.type({ sensor: t.string, value: t.number, at: t.number });
type Reading = t.TypeOf<typeof Reading>;

const POINTS = 50_000;
const BEFORE_OUTAGE = 10_000;
/** How long InfluxDB is down: the scenario, not a wait for something to happen. */
const OUTAGE_MS = 30_000;
/** The application's bound on what a sink may hold; the in-memory log hands over 500 records at a time. */
const MAX_SINK_BACKLOG = 5_000;
const LOG_BATCH = 500;
const START = Date.UTC(2024, 7, 8);

const reading = (i: number): Reading => ({
  sensor: `sensor-${i % 10}`,
  value: i * 0.25,
  at: START + i * 100,
});

// The outage is of an InfluxDB of this test's own, started and stopped through the project's scripts,
// so that others using the shared one are not disturbed. It needs the influxd those scripts build (with a
// Docker InfluxDB and no local build, there is none).
test.skipIf(!canRunPrivateInflux())(
  'InfluxDB down for 30 s while 50,000 points are written: every point is stored once, memory stays bounded',
  { timeout: 300_000 },
  async () => {
    const influx = await privateInflux();
    // Whatever happens in the test, the server and its data are removed at its end.
    onTestFinished(() => influx.remove());
    // The server is the test's own: its bucket is as fresh as one created for the test.
    const bucket = INFLUX_SETUP.bucket;
    const { INFLUX_TOKEN } = services();
    const log = new MemoryLog();
    log.createTopic('readings', { partitions: 2 });
    const produce = (from: number, to: number) =>
      log.produce(
        'readings',
        Array.from({ length: to - from }, (_, k) => ({
          key: null,
          value: new TextEncoder().encode(JSON.stringify(reading(from + k))),
          partition: (from + k) % 2,
        })),
      );

    const logged: string[] = [];
    const logger = {
      info: (fields: object, message: string) => void logged.push(`${message} ${JSON.stringify(fields)}`),
      warn: (fields: object, message: string) => void logged.push(`${message} ${JSON.stringify(fields)}`),
      error: (fields: object, message: string) => void logged.push(`${message} ${JSON.stringify(fields)}`),
    };
    const app = new Application({
      applicationId: uniqueName(),
      transport: memoryTransport(log),
      commitInterval: '1s',
      maxSinkBacklog: MAX_SINK_BACKLOG,
      logger,
    });
    const sink = influxSink<null, Reading>({
      connection: connectionTo(bucket, influx.url),
      point: {
        measurement: 'outage',
        tags: { sensor: (r) => r.value.sensor },
        fields: { value: (r) => r.value.value },
        timestamp: (r) => r.value.at,
      },
      logger,
    });
    app.to(app.source({ topic: 'readings', value: json(Reading) }), sink);
    await app.start();

    produce(0, BEFORE_OUTAGE);
    await waitFor(() => sink.stats().written >= BEFORE_OUTAGE, {
      what: 'the first points written',
      timeoutMs: 60_000,
    });

    // What the sink holds and what the process's heap uses, sampled through the outage.
    let heapPeak = 0;
    let heapBase = 0;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 20);
    onTestFinished(() => clearInterval(sampler));

    await influx.stop();
    let failing;
    let heldBack: number;
    try {
      heapBase = process.memoryUsage().heapUsed;
      heapPeak = heapBase;
      produce(BEFORE_OUTAGE, POINTS);
      await delay(OUTAGE_MS);
      const during = sink.stats();
      failing = during.failing;
      // Read but not yet handed to the sink: the application paused its source.
      heldBack = POINTS - during.written - during.pending - during.rejected;
    } finally {
      await influx.start();
    }

    expect(failing).toMatchObject({ code: 'SINK_UNAVAILABLE', retriable: true });
    expect(heldBack).toBeGreaterThan(0);

    await waitFor(() => sink.stats().written === POINTS, {
      what: 'every point written after the outage',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    await app.caughtUp();
    await app.stop();
    clearInterval(sampler);

    const stats = sink.stats();
    expect(stats).toMatchObject({ written: POINTS, rejected: 0, pending: 0 });
    expect(stats.retries).toBeGreaterThan(0);
    // Memory: the sink never held more than the application's bound (plus the batch that crossed it).
    expect(stats.peakPending).toBeLessThanOrEqual(MAX_SINK_BACKLOG + LOG_BATCH);
    expect(heapPeak - heapBase).toBeLessThan(64 * 1024 * 1024);
    process.stdout.write(
      `outage: peak sink backlog ${stats.peakPending} points (bound ${MAX_SINK_BACKLOG}); ` +
        `heap ${(heapBase / 2 ** 20).toFixed(1)} MB before, peak +${((heapPeak - heapBase) / 2 ** 20).toFixed(1)} MB; ` +
        `${stats.retries} retries\n`,
    );

    // Every point exactly once, with its value.
    expect(await awaitPointCount(bucket, 'outage', 'value', POINTS, influx.url)).toBe(POINTS);
    const rows = await fluxRows<{ _time: string; _value: number }>(
      `from(bucket: "${bucket}")
      |> range(start: 0)
      |> filter(fn: (r) => r["_measurement"] == "outage" and r["_field"] == "value")
      |> group()
      |> keep(columns: ["_time", "_value"])`,
      influx.url,
    );
    expect(rows).toHaveLength(POINTS);
    const stored = new Map(rows.map((r) => [Date.parse(r._time), r._value]));
    for (let i = 0; i < POINTS; i++) expect(stored.get(reading(i).at)).toBe(reading(i).value);

    // The outage is in the logs, the token is not.
    expect(logged.some((line) => line.startsWith('InfluxDB did not take a write'))).toBe(true);
    expect(logged.some((line) => line.startsWith('InfluxDB takes writes again'))).toBe(true);
    expect(logged.join('\n')).not.toContain(INFLUX_TOKEN);
    expect(JSON.stringify(failing)).not.toContain(INFLUX_TOKEN);
  },
);
