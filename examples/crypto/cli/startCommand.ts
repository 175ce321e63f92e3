import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  kafkaTransport,
  MemoryLog,
  memoryTransport,
  type LogTransport,
  type Sink,
  type StreamRecord,
} from '../../../src/index.js';
import { createLogger } from '../../../src/metrics/index.js';
import {
  cryptoApplication,
  DEFAULT_TOPICS,
  type CandleResult,
  type CryptoApplicationOptions,
} from '../cryptoApplication.js';
import {
  dashboardFeed,
  influxHistory,
  inMemoryHistory,
  startDashboard,
  type Dashboard,
} from '../dashboard/index.js';
import type { WindowStats } from '../movingAverages.js';
import {
  combinedStreamUrl,
  DEFAULT_ENDPOINT,
  DEFAULT_SYMBOLS,
  streamNames,
} from '../produce/binanceStreams.js';
import { captureFiles, produceLive, replayCaptures } from '../produce/produce.js';
import { Publisher } from '../produce/Publisher.js';
import type { CliIo } from './CliIo.js';

/** The bundled sample: every message of Binance's BTCUSDT and ETHUSDT streams for seven minutes. */
export const BUNDLED_CAPTURES = ['btcusdt_20240808.gz', 'ethusdt_20240808.gz'].map((name) =>
  fileURLToPath(new URL(`../data/${name}`, import.meta.url)),
);

interface StartOptions {
  readonly live?: boolean;
  readonly input: readonly string[];
  readonly speed: number;
  readonly dashboard: boolean;
  readonly port: number;
}

const speedArgument = (text: string): number => {
  if (text === 'max') return Infinity;
  const speed = Number(text);
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new InvalidArgumentError("Expected a number > 0 or 'max'.");
  return speed;
};

const portArgument = (text: string): number => {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError('Expected a TCP port.');
  return port;
};

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const num = (n: number, width: number, digits: number) => n.toFixed(digits).padStart(width);

/** Prints each closed window and 1 minute candle as a table row. */
const table = (
  out: CliIo['stdout'],
): { averages: Sink<string, WindowStats>; candles: Sink<string, CandleResult>; windows: () => number } => {
  let windows = 0;
  let header = false;
  const row = (text: string) => {
    if (!header) {
      header = true;
      out.write(
        `${'time (UTC)'.padEnd(10)} ${'symbol'.padEnd(8)} ${'what'.padEnd(12)} ${'price'.padStart(12)} ` +
          `${'vwap / close'.padStart(12)} ${'trades'.padStart(7)} ${'volume'.padStart(12)}\n`,
      );
    }
    out.write(`${text}\n`);
  };
  const sink = <V>(
    name: string,
    show: (r: StreamRecord<string, V>) => string | undefined,
  ): Sink<string, V> => ({
    name,
    write: (records) => {
      for (const r of records) {
        const text = show(r);
        if (text !== undefined) row(text);
      }
    },
    flush: async () => undefined,
  });
  return {
    averages: sink<WindowStats>('table:averages', ({ value: w }) => {
      windows++;
      return (
        `${time(w.windowEnd).padEnd(10)} ${w.symbol.padEnd(8)} ${'30s average'.padEnd(12)} ` +
        `${num(w.average_price, 12, 4)} ${num(w.vwap, 12, 4)} ${String(w.count).padStart(7)} ${num(w.volume, 12, 5)}`
      );
    }),
    candles: sink<CandleResult>('table:candles', ({ value: c }) =>
      c.interval !== '1m'
        ? undefined
        : `${time(c.end).padEnd(10)} ${c.symbol.padEnd(8)} ${'1m candle'.padEnd(12)} ${num(c.open, 12, 4)} ` +
          `${num(c.close, 12, 4)} ${String(c.trades).padStart(7)} ${num(c.volume, 12, 5)}`,
    ),
    windows: () => windows,
  };
};

const run = async (io: CliIo, command: Command): Promise<void> => {
  const options = command.opts<StartOptions>();
  const { logLevel } = command.optsWithGlobals<{ logLevel?: string }>();
  const log = createLogger({
    app: 'tributary-crypto',
    name: 'start',
    destination: io.stderr,
    level: logLevel ?? 'warn',
  });
  // Kafka and InfluxDB when the environment names them, else the embedded in-memory log.
  const brokers = process.env.KAFKA_BROKERS?.split(',').map((b) => b.trim());
  const memory = new MemoryLog();
  const transport = (): LogTransport =>
    brokers === undefined ? memoryTransport(memory) : kafkaTransport({ brokers });
  const influx =
    process.env.INFLUX_URL === undefined ? undefined : { bucket: process.env.INFLUX_BUCKET ?? 'crypto' };

  const publisher = new Publisher({
    transport,
    topics: [
      { topic: DEFAULT_TOPICS.trades, partitions: 1 },
      { topic: 'binance-klines', partitions: 1 },
    ],
    maxBuffered: 100_000,
    backoff: { initialMs: 1_000, maxMs: 30_000 },
    log,
  });
  publisher.start();
  await publisher.flush();

  const printed = table(io.stdout);
  const feed = dashboardFeed();
  const feedAverages = feed.sink<string, WindowStats>((r) => ({ type: 'average', ...r.value }));
  const feedCandles = feed.sink<string, CandleResult>((r) => ({ type: 'candle', ...r.value }));
  const settings: CryptoApplicationOptions = {
    applicationId: 'tributary-crypto-start',
    transport: transport(),
    topics: DEFAULT_TOPICS,
    windowMs: 30_000,
    slideMs: 5_000,
    watermarkMs: 60_000,
    movingAverage: 'hopping',
    candleIntervals: ['1s', '1m', '15m', '1h', '1d'],
    // A replay's last windows close once it has been quiet for 3 s.
    ...(options.live === true ? {} : { idleCloseMs: 3_000 }),
    ...(influx ? { influx } : {}),
    logger: log,
    extraSinks: {
      averages: {
        name: 'averages',
        write: (records) => {
          printed.averages.write(records);
          feedAverages.write(records);
        },
        flush: async () => undefined,
      },
      candles: {
        name: 'candles',
        write: (records) => {
          printed.candles.write(records);
          feedCandles.write(records);
        },
        flush: async () => undefined,
      },
    },
  };
  const app = cryptoApplication(settings);
  let dashboard: Dashboard | undefined;
  if (options.dashboard) {
    dashboard = await startDashboard({
      port: options.port,
      events: feed.events,
      history: influx ? influxHistory(influx) : inMemoryHistory(),
      logger: log,
    });
    io.stderr.write(`dashboard: ${dashboard.url}\n`);
  }
  await app.start();

  const abort = new AbortController();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      abort.abort();
      live?.feed.stop();
      await publisher.close();
      await app.stop();
      feed.end();
      await dashboard?.close();
    })());
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  let live: ReturnType<typeof produceLive> | undefined;
  if (options.live === true) {
    live = produceLive({
      url: combinedStreamUrl(DEFAULT_ENDPOINT, streamNames(DEFAULT_SYMBOLS, ['1m'])),
      idleTimeoutMs: 60_000,
      rotateAfterMs: 23 * 3_600_000,
      overlapMs: 10_000,
      backoff: { initialMs: 1_000, maxMs: 30_000 },
      topics: { trades: DEFAULT_TOPICS.trades, klines: 'binance-klines' },
      publisher,
      log,
    });
    io.stderr.write('live: Binance trades of BTCUSDT, ETHUSDT, XRPUSDT, SOLUSDT; Ctrl-C to stop\n');
    await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve()));
    await stopping;
    return;
  }

  const progress = setInterval(() => {
    const published = publisher.stats.published[DEFAULT_TOPICS.trades] ?? 0;
    io.stderr.write(
      `replaying at ${options.speed}×: ${published} trades published, ${printed.windows()} windows\n`,
    );
  }, 5_000);
  const counts = await replayCaptures({
    captures: captureFiles(options.input),
    speed: options.speed,
    topics: { trades: DEFAULT_TOPICS.trades, klines: 'binance-klines' },
    publisher,
    signal: abort.signal,
  });
  await publisher.flush();
  await app.caughtUp();
  clearInterval(progress);
  const trades = publisher.stats.published[DEFAULT_TOPICS.trades] ?? 0;
  io.stderr.write(
    `replayed ${trades} trades (${Object.values(counts.skipped).reduce((a, b) => a + b, 0)} other messages skipped); ` +
      'the last windows close once the stream has been quiet for 3 s\n',
  );
  if (dashboard === undefined) {
    // Without a dashboard, wait for the last windows and stop.
    const expected = printed.windows();
    const giveUpAt = Date.now() + 10_000;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (printed.windows() > expected || abort.signal.aborted || Date.now() > giveUpAt) {
          clearInterval(check);
          resolve();
        }
      }, 200);
    });
    await stop();
    return;
  }
  io.stderr.write(`the dashboard stays up at ${dashboard.url}; Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve()));
  await stopping;
};

/** `start`: the whole example on one machine — the embedded log by default, Kafka and InfluxDB when set. */
export const startCommand = (io: CliIo): Command =>
  new Command('start')
    .description(
      'Run the whole example: replay the bundled Binance sample (or --live trades) through the pipeline, ' +
        'print the results as a table and serve the live dashboard. Uses the embedded in-memory log, or ' +
        'Kafka and InfluxDB when KAFKA_BROKERS / INFLUX_URL are set.',
    )
    .addOption(new Option('--live', "Binance's live trades instead of the bundled sample").env('CRYPTO_LIVE'))
    .addOption(
      new Option('--input <files...>', 'captures to replay (`<local time> <combined-stream JSON>` lines)')
        .env('CRYPTO_INPUT')
        .default(BUNDLED_CAPTURES, 'the bundled BTCUSDT and ETHUSDT sample'),
    )
    .addOption(
      new Option('--speed <n>', "how many times faster than recorded, or 'max'")
        .env('CRYPTO_SPEED')
        .argParser(speedArgument)
        .default(10, '10'),
    )
    .addOption(new Option('--no-dashboard', 'no web dashboard (the command ends after a replay)'))
    .addOption(
      new Option('--port <port>', 'port of the dashboard')
        .env('CRYPTO_DASHBOARD_PORT')
        .argParser(portArgument)
        .default(8080),
    )
    .action(async (_options: unknown, command: Command) => run(io, command));
