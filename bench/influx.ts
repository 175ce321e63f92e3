/**
 * InfluxDB benchmark (`npm run bench:influx`), against the local server (started by the service scripts
 * if INFLUX_URL is not set), in one run, writing the same N window results (a 30 s average per symbol and
 * second, 16 symbols) as points:
 *
 * (a) raw: the official client's `WriteApi` (5 000-line batches, gzip, its default retries), each result
 *     turned into a `Point` by hand;
 * (b) Tributary: `influxSink` with the same batch size and gzip, fed as the runtime feeds it (10 000
 *     records per `write`, a flush whenever the backlog passes the runtime's default bound of 100 000).
 *
 * Each phase writes into a fresh bucket, deleted afterwards; it ends when the server has acknowledged
 * every point (the `WriteApi`'s `close()` resolves before its in-flight batches are acknowledged, so the
 * raw phase counts acknowledgements instead). Phases alternate for BENCH_INFLUX_ROUNDS rounds (default 3);
 * each row is the median round. Latency is the duration of one write request (a batch, sent until
 * answered), p99 over the run. Prints a table, then as its last line one JSON object:
 * `{"bench":"influx","raw_pps":…,"ours_pps":…,"ratio":…,"flush_p99_ms":…}`.
 *
 * Options (environment): BENCH_INFLUX_POINTS (default 1000000), BENCH_INFLUX_ROUNDS (default 3).
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { InfluxDB, Point, type Transport } from '@influxdata/influxdb-client';
import { down, up } from '../scripts/services.mjs';
import { record, type StreamRecord, type WindowResult } from '../src/index.js';
import type { Histogram, Metrics } from '../src/metrics/index.js';
import { noopMetrics } from '../src/metrics/index.js';
import { influxSink } from '../src/sinks/influxdb/index.js';
import { medianRun, printTable, toMeasurement, type Measurement } from './measure.js';

const POINTS = Number(process.env.BENCH_INFLUX_POINTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_INFLUX_ROUNDS ?? 3);
const BATCH = 5_000;
const CHUNK = 10_000;
const MAX_SINK_BACKLOG = 100_000;
const SYMBOLS = Array.from({ length: 16 }, (_, i) => `SYM${i}USDT`);
const START = Date.UTC(2024, 7, 8);

type Average = WindowResult<number, 'final'>;

/** Results `from` to `to`: symbol `i % 16`, the window of second `i / 16`, a price that varies. */
const results = (from: number, to: number): StreamRecord<string, Average>[] => {
  const chunk: StreamRecord<string, Average>[] = [];
  for (let i = from; i < to; i++) {
    const start = START + Math.floor(i / SYMBOLS.length) * 1_000;
    const value = 100 * ((i % SYMBOLS.length) + 1) + (i % 997) * 0.013 + 1 / 3;
    chunk.push(
      record(
        SYMBOLS[i % SYMBOLS.length]!,
        { emit: 'final', window: { start, end: start + 30_000 }, value },
        start + 29_999,
      ),
    );
  }
  return chunk;
};

interface Server {
  readonly url: string;
  readonly token: string;
  readonly org: string;
}

async function api(server: Server, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { Authorization: `Token ${server.token}`, 'Content-Type': 'application/json' },
  });
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/** Runs `phase` against a bucket of its own, deleted afterwards; checks that every point is stored. */
async function inFreshBucket(
  server: Server,
  phase: (bucket: string) => Promise<Measurement>,
): Promise<Measurement> {
  const orgs = (await (await api(server, `/api/v2/orgs?org=${encodeURIComponent(server.org)}`)).json()) as {
    orgs: { id: string }[];
  };
  const name = `bench-influx-${randomUUID()}`;
  const bucket = (await (
    await api(server, '/api/v2/buckets', {
      method: 'POST',
      body: JSON.stringify({ orgID: orgs.orgs[0]!.id, name, retentionRules: [] }),
    })
  ).json()) as { id: string };
  try {
    const measurement = await phase(name);
    const rows = await new InfluxDB({ url: server.url, token: server.token })
      .getQueryApi(server.org)
      .collectRows<{ _value: number }>(
        `from(bucket: "${name}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "crypto_avg") |> group() |> count()`,
      );
    if (rows[0]?._value !== POINTS)
      throw new Error(`${measurement.name}: ${rows[0]?._value ?? 0} of ${POINTS} points stored`);
    return measurement;
  } finally {
    await api(server, `/api/v2/buckets/${bucket.id}`, { method: 'DELETE' });
  }
}

/** Wall clock, CPU and request latencies of one phase. */
const timed = async (name: string, run: () => Promise<readonly number[]>): Promise<Measurement> => {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const latencies = await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return toMeasurement(name, POINTS, seconds, (used.user + used.system) / 1e6, latencies);
};

/** The client's own `WriteApi`, its requests timed at the transport. */
function raw(server: Server, bucket: string): Promise<Measurement> {
  return timed('raw: client WriteApi (batch 5 000, gzip), Points built by hand', async () => {
    const influx = new InfluxDB({ url: server.url, token: server.token });
    const latencies: number[] = [];
    const transport: Transport = influx.transport;
    const send = transport.send.bind(transport);
    transport.send = (path, body, options, callbacks) => {
      const started = performance.now();
      const done = () => latencies.push(performance.now() - started);
      send(path, body, options, {
        ...callbacks,
        complete: () => {
          done();
          callbacks?.complete?.();
        },
        error: (error) => {
          done();
          callbacks?.error?.(error);
        },
      });
    };
    let acknowledged = 0;
    let failed: Error | undefined;
    let finished!: () => void;
    const all = new Promise<void>((resolve) => (finished = resolve));
    const writer = influx.getWriteApi(server.org, bucket, 'ms', {
      batchSize: BATCH,
      flushInterval: 1_000,
      writeSuccess: (lines) => {
        acknowledged += lines.length;
        if (acknowledged >= POINTS) finished();
      },
      writeFailed: (error) => {
        failed = error;
        finished();
        return undefined;
      },
    });
    for (let i = 0; i < POINTS; i += CHUNK) {
      for (const r of results(i, Math.min(POINTS, i + CHUNK))) {
        writer.writePoint(
          new Point('crypto_avg')
            .tag('symbol', r.key)
            .floatField('average_price', r.value.value)
            .timestamp(r.value.window.start),
        );
      }
      await yieldToIo();
    }
    await writer.flush();
    await all;
    await writer.close();
    if (failed) throw failed;
    return latencies;
  });
}

/** Request durations, as the sink reports them to its metrics. */
const recordingMetrics = (latencies: number[]): Metrics => ({
  ...noopMetrics,
  histogram: <L extends string>(name: string) =>
    (name === 'tributary_influx_write_duration_seconds'
      ? {
          observe: (labels: unknown, seconds?: number) =>
            latencies.push((seconds ?? (labels as number)) * 1_000),
        }
      : noopMetrics.histogram(name, '')) as Histogram<L>,
});

function ours(server: Server, bucket: string): Promise<Measurement> {
  return timed('tributary: influxSink (batch 5 000, gzip)', async () => {
    const latencies: number[] = [];
    const sink = influxSink<string, Average>({
      connection: { url: server.url, token: server.token, org: server.org, bucket },
      point: {
        measurement: 'crypto_avg',
        tags: { symbol: (r) => r.key },
        fields: { average_price: (r) => r.value.value },
      },
      batchSize: BATCH,
      metrics: recordingMetrics(latencies),
    });
    for (let i = 0; i < POINTS; i += CHUNK) {
      sink.write(results(i, Math.min(POINTS, i + CHUNK)));
      // The runtime pauses its sources above its bound until a checkpoint has flushed the sink.
      if (sink.backlog() > MAX_SINK_BACKLOG) await sink.flush();
      await yieldToIo();
    }
    await sink.flush();
    await sink.close();
    if (sink.stats().written !== POINTS) throw new Error(`the sink wrote ${sink.stats().written} points`);
    return latencies;
  });
}

async function main(): Promise<void> {
  const started = process.env.INFLUX_URL ? undefined : await up({ kafka: false, influx: true });
  const env = started ? started.env : process.env;
  const server: Server = { url: env.INFLUX_URL!, token: env.INFLUX_TOKEN!, org: env.INFLUX_ORG! };
  try {
    const rawRuns: Measurement[] = [];
    const ourRuns: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so that a busy moment of the shared machine hits both alike.
      const order = round % 2 === 0 ? (['raw', 'ours'] as const) : (['ours', 'raw'] as const);
      for (const phase of order) {
        const row = await inFreshBucket(server, (bucket) =>
          phase === 'raw' ? raw(server, bucket) : ours(server, bucket),
        );
        (phase === 'raw' ? rawRuns : ourRuns).push(row);
        process.stderr.write(
          `round ${round + 1}: ${phase} ${Math.round(row.recordsPerSecond)} points/s, p99 ${row.p99.toFixed(1)} ms\n`,
        );
      }
    }
    const rawRow = medianRun(rawRuns);
    const oursRow = medianRun(ourRuns);
    printTable(
      [rawRow, oursRow],
      `${POINTS} points per phase, median of ${ROUNDS} rounds; latency = one write request of ${BATCH} points until answered`,
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'influx',
        raw_pps: Math.round(rawRow.recordsPerSecond),
        ours_pps: Math.round(oursRow.recordsPerSecond),
        ratio: Number((oursRow.recordsPerSecond / rawRow.recordsPerSecond).toFixed(3)),
        flush_p99_ms: Number(oursRow.p99.toFixed(1)),
      })}\n`,
    );
  } finally {
    if (started?.started.influx) await down({ kafka: false, influx: true });
  }
}

await main();
