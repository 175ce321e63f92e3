import * as t from 'io-ts';
import { expect, test } from 'vitest';
import { Application, json, MemoryLog, memoryTransport } from '../../src/index.js';
import { influxSink, type RejectedPoint } from '../../src/sinks/influxdb/index.js';
import { createBucket, uniqueName } from './helpers.js';
import { awaitPointCount, connectionTo, fluxRows } from './influxSinkHelpers.js';

/** A reading whose fields sometimes come with the wrong type, as a misbehaving producer sends them. */
const Reading = t.type({
  sensor: t.string,
  value: t.union([t.number, t.string]),
  ok: t.union([t.boolean, t.number]),
  at: t.number,
});
type Reading = t.TypeOf<typeof Reading>;

const START = Date.UTC(2024, 7, 8, 0, 0, 0);
const READINGS = 2_000;

const VALUE_CONFLICT =
  'input field "value" on measurement "readings" is type string, already exists as type float';
const OK_CONFLICT =
  'input field "ok" on measurement "readings" is type float, already exists as type boolean';

const encode = (r: Reading) => ({ key: null, value: new TextEncoder().encode(JSON.stringify(r)) });

test.each([
  ['a dead-letter topic of its own', 'readings.influx.dlq'],
  ["the application's default dead-letter topic", 'readings-influx.dlq'],
])(
  'points with conflicting field types go to %s with the server reason; the valid ones are written',
  async (_, dlq) => {
    const bucket = await createBucket();
    const log = new MemoryLog();
    log.createTopic('readings', { partitions: 1 });
    const explicit = dlq === 'readings.influx.dlq';
    if (explicit) log.createTopic(dlq, { partitions: 1 });

    const app = new Application({ applicationId: uniqueName(), transport: memoryTransport(log) });
    const readings = app.source({ topic: 'readings', value: json(Reading) });
    const sink = influxSink<null, Reading>({
      name: 'readings-influx',
      connection: connectionTo(bucket),
      point: {
        measurement: 'readings',
        tags: { sensor: (r) => r.value.sensor },
        fields: { value: (r) => r.value.value, ok: (r) => r.value.ok },
        timestamp: (r) => r.value.at,
      },
      // Through the runtime's producer to a topic (here on the in-memory log; on Kafka alike). Without
      // it, the application gives the sink `<name>.dlq`.
      ...(explicit ? { deadLetters: app.topicSink(dlq, { key: json(t.null), value: json(t.unknown) }) } : {}),
    });
    app.to(readings, sink);
    await app.start();

    // The first reading makes `value` a float and `ok` a boolean in this bucket.
    log.produce('readings', [encode({ sensor: 's-0', value: 1.5, ok: true, at: START })]);
    await app.caughtUp();
    await app.checkpoint();

    // One batch: mostly valid readings; every 50th has a string value, every 125th a number for `ok`
    // (InfluxDB's answer names only the first kind of conflict it meets; both must be found).
    const bad = new Set<number>();
    const batch: Reading[] = [];
    for (let i = 1; i <= READINGS; i++) {
      const at = START + i * 1_000;
      const reading = {
        sensor: `s-${i % 7}`,
        value: i % 50 === 0 ? `reading ${i}` : i * 0.5,
        ok: i % 125 === 0 ? 1 : i % 2 === 0,
        at,
      };
      if (i % 50 === 0 || i % 125 === 0) bad.add(at);
      batch.push(reading);
    }
    log.produce('readings', batch.map(encode));
    await app.caughtUp();
    await app.stop();

    // The dead letters: exactly the readings with a field of the wrong type, each with the server's reason.
    const records = log.fetch(dlq, 0, '0', 10_000).records;
    for (const r of records) {
      expect(new TextDecoder().decode(r.headers['tributary.error.code'])).toBe('POINT_REJECTED');
    }
    const deadLetters = records.map(
      (r) => JSON.parse(new TextDecoder().decode(r.value!)) as RejectedPoint<Reading>,
    );
    expect(deadLetters.map((d) => d.value.at).sort((a, b) => a - b)).toEqual([...bad].sort((a, b) => a - b));
    for (const d of deadLetters) {
      expect(d.error).toMatchObject({ _tag: 'TributaryError', code: 'POINT_REJECTED', retriable: false });
      expect(d.error.message).toMatch(
        /^InfluxDB rejected the point \(HTTP 422\): failure writing points to database: partial write: field type conflict: /,
      );
      // The reason the server gave names a conflict this reading has.
      if (d.error.message.includes(VALUE_CONFLICT)) expect(typeof d.value.value).toBe('string');
      else {
        expect(d.error.message).toContain(OK_CONFLICT);
        expect(typeof d.value.ok).toBe('number');
      }
      const value = typeof d.value.value === 'string' ? `"${d.value.value}"` : String(d.value.value);
      expect(d.line).toBe(
        `readings,sensor=${d.value.sensor} value=${value},ok=${String(d.value.ok)} ${d.value.at}`,
      );
    }
    expect(sink.stats()).toMatchObject({ written: 1 + READINGS - bad.size, rejected: bad.size, pending: 0 });

    // Every valid reading is stored, with its value.
    const valid = 1 + READINGS - bad.size;
    await awaitPointCount(bucket, 'readings', 'value', valid);
    const rows = await fluxRows<{ _time: string; _value: number }>(`from(bucket: "${bucket}")
    |> range(start: 0)
    |> filter(fn: (r) => r["_measurement"] == "readings" and r["_field"] == "value")
    |> group()`);
    const stored = new Map(rows.map((r) => [Date.parse(r._time), r._value]));
    expect(stored.size).toBe(valid);
    expect(stored.get(START)).toBe(1.5);
    for (const r of batch) if (!bad.has(r.at)) expect(stored.get(r.at)).toBe(r.value);
  },
);
