import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished, test } from 'vitest';
import { BUNDLED_CAPTURES } from '../../examples/crypto/cli/startCommand.js';
import { readCaptureFile } from '../../examples/crypto/readCaptureFile.js';
import { replay } from '../../examples/crypto/replay.js';
import { createBucket, createTopic, services, uniqueName, waitFor, withAdmin } from './helpers.js';
import { awaitPointCount, fluxRows } from './influxSinkHelpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CAPTURES = BUNDLED_CAPTURES;

/** Runs the example's CLI (`npm run crypto -- …`) with the services' environment. */
function crypto(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  const { KAFKA_BROKERS, INFLUX_TOKEN } = services();
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/crypto/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS, INFLUX_TOKEN, TRIBUTARY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

const exitCode = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

test(
  'BTC and ETH captures through produce → Kafka → process → InfluxDB: Flux returns the windows replay writes',
  { timeout: 300_000 },
  async () => {
    const { INFLUX_URL, INFLUX_ORG } = services();
    const trades = await createTopic(1);
    const averages = uniqueName();
    const candles = uniqueName();
    const klines = uniqueName();
    const applicationId = uniqueName();
    const bucket = await createBucket();
    onTestFinished(() =>
      withAdmin(async (admin) => {
        await admin.deleteGroups([applicationId]).catch(() => undefined);
        const mine = (await admin.listTopics()).filter(
          (n) =>
            n.startsWith(applicationId) ||
            n.startsWith(averages) ||
            n.startsWith(candles) ||
            n === klines ||
            n === `${trades}.dlq`,
        );
        await admin.deleteTopics({ topics: mine });
      }),
    );

    // What the backtest writes for the same captures.
    const captures = await Promise.all(CAPTURES.map((file) => readCaptureFile(file)));
    const expected = replay(captures, { windowMs: 30_000, slideMs: 5_000, watermarkMs: 60_000 }).windows;
    expect(expected.length).toBeGreaterThan(100);

    // produce: the captures, merged by local time, to the trades topic as fast as possible.
    const produce = crypto([
      'produce',
      '--replay',
      ...CAPTURES,
      '--speed',
      'max',
      '--trades-topic',
      trades,
      '--klines-topic',
      klines,
    ]);
    expect(await exitCode(produce)).toBe(0);

    // process: into InfluxDB; once caught up and quiet for 2 s the watermark follows the clock, closing
    // the last windows as the end of a replay does.
    const processing = crypto([
      'process',
      '--application-id',
      applicationId,
      '--trades-topic',
      trades,
      '--averages-topic',
      averages,
      '--candles-topic',
      candles,
      '--idle-close',
      '2s',
      '--influx-url',
      INFLUX_URL,
      '--influx-org',
      INFLUX_ORG,
      '--influx-bucket',
      bucket,
    ]);
    await awaitPointCount(bucket, 'crypto_avg', 'average_price', expected.length);

    const rows = await fluxRows<{ _time: string; _value: number; symbol: string }>(
      `from(bucket: "${bucket}")
        |> range(start: 0)
        |> filter(fn: (r) => r["_measurement"] == "crypto_avg")
        |> filter(fn: (r) => r["_field"] == "average_price")`,
    );
    const got = rows
      .map((r) => ({ symbol: r.symbol, windowStart: Date.parse(r._time), average_price: r._value }))
      .sort((a, b) => a.windowStart - b.windowStart || a.symbol.localeCompare(b.symbol));
    const want = expected
      .map((w) => ({ symbol: w.symbol, windowStart: w.windowStart, average_price: w.average_price }))
      .sort((a, b) => a.windowStart - b.windowStart || a.symbol.localeCompare(b.symbol));
    expect(got).toEqual(want);

    // Candles of every interval are there too, tagged by symbol and interval.
    await waitFor(
      async () => {
        const intervals = await fluxRows<{ interval: string }>(
          `from(bucket: "${bucket}") |> range(start: 0)
            |> filter(fn: (r) => r["_measurement"] == "candles" and r["_field"] == "close")
            |> keep(columns: ["interval"]) |> distinct(column: "interval")`,
        );
        return new Set(intervals.map((r) => r.interval)).size === 5;
      },
      { what: 'candles of 1s, 1m, 15m, 1h and 1d', timeoutMs: 60_000 },
    );

    processing.kill('SIGTERM');
    expect(await exitCode(processing)).toBe(0);
  },
);
