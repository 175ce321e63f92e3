import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { mergeCaptures } from '../../examples/crypto/captures.js';
import { kafkaTransport, type LogRecord } from '../../src/index.js';
import { captureOf } from '../unit/examples/crypto/helpers.js';
import { SLICES, sliceLines } from '../unit/examples/crypto/lines.js';
import { createTopic, services, waitFor } from './helpers.js';

/** `npm run crypto -- produce --replay` as a user runs it, against the real broker. */

const ROOT = new URL('../../', import.meta.url).pathname;
const FILES = [SLICES.BTCUSDT.file, SLICES.ETHUSDT.file];

/** Starts `npm run crypto -- <args>`; its log lines are parsed as they come. */
const startCli = (args: readonly string[]) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CRYPTO_')));
  const child = spawn('npm', ['run', '--silent', 'crypto', '--', ...args], {
    cwd: ROOT,
    env: { ...env, TRIBUTARY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines)
      if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    logs,
    exited,
    stderr: () => stderr,
    messages: (msg: string) => logs.filter((l) => l['msg'] === msg),
  };
};

/** Every trade line of the slices, in the order the replay command merges them. */
const expectedTrades = (): string[] => {
  const files: Record<string, readonly string[]> = {
    [SLICES.BTCUSDT.file]: sliceLines('BTCUSDT'),
    [SLICES.ETHUSDT.file]: sliceLines('ETHUSDT'),
  };
  const captures = FILES.map((f) => captureOf(f, files[f]!));
  return mergeCaptures(captures).map((l) => files[l.source]![l.line - 1]!);
};

const readAll = async (topic: string): Promise<readonly LogRecord[]> => {
  const transport = kafkaTransport({ brokers: services().KAFKA_BROKERS.split(',') });
  try {
    return await transport.readPartition(topic, 0);
  } finally {
    await transport.close();
  }
};

const expectEveryTradeInOrder = async (trades: string, klines: string, started: number) => {
  const expected = expectedTrades();
  expect(expected).toHaveLength(SLICES.BTCUSDT.trades + SLICES.ETHUSDT.trades);
  const records = await readAll(trades);
  expect(records).toHaveLength(expected.length);
  const json = expected.map((l) => l.slice(l.indexOf(' ') + 1));
  // Byte for byte: the value is the combined-stream JSON as captured.
  expect(
    records.map((r) => Buffer.from(r.value!).equals(Buffer.from(json[Number(r.offset)]!))),
  ).not.toContain(false);
  expect(records.map((r) => Buffer.from(r.key!).toString())).toEqual(
    json.map((j) => (JSON.parse(j) as { data: { s: string } }).data.s),
  );
  const localTimes = expected.map((l) => l.slice(0, l.indexOf(' ')));
  expect(records.map((r) => Buffer.from(r.headers['binance.received-at']!).toString())).toEqual(localTimes);
  // Stamped when replayed, in order, not with the recording's times, which retention would delete at once.
  const stamps = records.map((r) => r.timestamp);
  expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  expect(stamps[0]).toBeGreaterThanOrEqual(started);
  expect(stamps.at(-1)).toBeLessThanOrEqual(Date.now());
  const transport = kafkaTransport({ brokers: services().KAFKA_BROKERS.split(',') });
  onTestFinished(() => transport.close());
  expect(await transport.endOffsets(klines)).toEqual([{ topic: klines, partition: 0, offset: '0' }]);
};

const expectFinished = (finished: Record<string, unknown> | undefined, trades: string, klines: string) => {
  expect(finished).toMatchObject({
    mode: 'replay',
    published: { [trades]: SLICES.BTCUSDT.trades + SLICES.ETHUSDT.trades, [klines]: 0 },
    lines: SLICES.BTCUSDT.lines + SLICES.ETHUSDT.lines,
    skipped: {
      bookTicker: SLICES.BTCUSDT.bookTickers + SLICES.ETHUSDT.bookTickers,
      depthUpdate: SLICES.BTCUSDT.depthUpdates + SLICES.ETHUSDT.depthUpdates,
      depthSnapshot: 2,
    },
    unreadable: 0,
    dropped: { [trades]: 0, [klines]: 0 },
    unsent: 0,
  });
};

test('produce --replay --speed max publishes every trade of the slices in order, as captured, keyed by symbol', async () => {
  const trades = await createTopic(1);
  const klines = await createTopic(1);
  const started = Date.now();
  const cli = startCli([
    'produce',
    '--brokers',
    services().KAFKA_BROKERS,
    '--replay',
    ...FILES,
    '--speed',
    'max',
    '--trades-topic',
    trades,
    '--klines-topic',
    klines,
  ]);
  expect(await cli.exited, cli.stderr()).toBe(0);
  expectFinished(cli.messages('produce finished')[0], trades, klines);
  await expectEveryTradeInOrder(trades, klines, started);
});

test(
  'produce keeps trying while Kafka cannot be reached, then publishes everything',
  { timeout: 240_000 },
  async () => {
    const trades = await createTopic(1);
    const klines = await createTopic(1);
    const started = Date.now();
    // A port where nothing listens yet; later a proxy to the broker opens on it. KafkaJS bootstraps through
    // it, then talks to the broker's advertised address.
    const free = createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    const port = (free.address() as AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));

    const cli = startCli([
      'produce',
      '--brokers',
      `127.0.0.1:${port}`,
      '--replay',
      ...FILES,
      '--speed',
      'max',
      '--max-buffered',
      '500',
      '--trades-topic',
      trades,
      '--klines-topic',
      klines,
    ]);
    await waitFor(() => cli.messages('cannot reach the log; trying again').length >= 2, {
      timeoutMs: 120_000,
      what: 'two failed attempts to reach Kafka',
    });
    const [host, upstreamPort] = services().KAFKA_BROKERS.split(',')[0]!.split(':');
    const proxy: Server = createServer((client) => {
      const upstream = connect(Number(upstreamPort), host);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    }).listen(port, '127.0.0.1');
    onTestFinished(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(cli.messages('cannot reach the log; trying again')[0]).toMatchObject({
      attempt: 1,
      buffered: 500,
    });
    expectFinished(cli.messages('produce finished')[0], trades, klines);
    await expectEveryTradeInOrder(trades, klines, started);
  },
);
