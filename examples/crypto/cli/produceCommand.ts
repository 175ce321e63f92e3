import { stat } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Duration, kafkaTransport, platformaticTransport, type LogTransport } from '../../../src/index.js';
import { createLogger, type Logger } from '../../../src/metrics/index.js';
import {
  combinedStreamUrl,
  DEFAULT_ENDPOINT,
  DEFAULT_SYMBOLS,
  KLINE_INTERVALS,
  MAX_STREAMS_PER_CONNECTION,
  streamNames,
} from '../produce/binanceStreams.js';
import { captureFiles, produceLive, replayCaptures, type ProduceTopics } from '../produce/produce.js';
import { Publisher } from '../produce/Publisher.js';
import { DEFAULT_TOPICS } from '../cryptoApplication.js';
import type { CliIo } from './CliIo.js';
import { durationArgument, kafkaOptions, list, withOptions } from './options.js';

interface ProduceOptions {
  readonly brokers?: readonly string[];
  readonly client: 'kafkajs' | 'platformatic';
  readonly tradesTopic: string;
  readonly klinesTopic: string;
  readonly partitions: number;
  readonly maxBuffered: number;
  readonly endpoint: string;
  readonly symbols: readonly string[];
  readonly klineIntervals: readonly string[];
  readonly idleTimeout: number;
  readonly rotateAfter: number;
  readonly overlap: number;
  readonly replay?: readonly string[];
  readonly speed: number;
  readonly shutdownTimeout: number;
}

const BACKOFF = { initialMs: 1_000, maxMs: 30_000 };

const symbolsArgument = (text: string): string[] => {
  const symbols = list(text);
  if (symbols.length === 0) throw new InvalidArgumentError('Expected symbols like BTCUSDT,ETHUSDT.');
  const bad = symbols.find((s) => !/^[A-Za-z0-9]+$/.test(s));
  if (bad !== undefined)
    throw new InvalidArgumentError(`Expected symbols like BTCUSDT,ETHUSDT, got '${bad}'.`);
  return [...new Set(symbols.map((s) => s.toUpperCase()))];
};

const intervalsArgument = (text: string): string[] => {
  if (text.trim() === 'none') return [];
  const intervals = list(text);
  const bad = intervals.find((i) => !KLINE_INTERVALS.includes(i));
  if (bad !== undefined) {
    throw new InvalidArgumentError(
      `Expected intervals among ${KLINE_INTERVALS.join(', ')} (or none), got '${bad}'.`,
    );
  }
  return [...new Set(intervals)];
};

const integerArgument =
  (min: number) =>
  (text: string): number => {
    const n = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`Expected a whole number of at least ${min}.`);
    }
    return n;
  };

const speedArgument = (text: string): number => {
  if (text.trim() === 'max') return Infinity;
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`Expected a number greater than 0 (2 for twice as fast) or 'max'.`);
  }
  return n;
};

const endpointArgument = (text: string): string => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`Expected a ws:// or wss:// URL, got '${text}'.`);
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError(`Expected a ws:// or wss:// URL without a query, got '${text}'.`);
  }
  return text;
};

/** The flags and values that must hold together, checked before anything is opened. */
const validate = async (command: Command, options: ProduceOptions): Promise<void> => {
  const fail = (message: string): never =>
    command.error(`error: ${message}`, { code: 'crypto.invalidOption' });
  if (options.brokers === undefined) {
    fail(
      "required option '--brokers <list>' not specified: give it, or set KAFKA_BROKERS " +
        '(host:port[,host:port…] of the Kafka brokers)',
    );
  }
  if (options.tradesTopic === options.klinesTopic) {
    fail(
      `option '--klines-topic <topic>' must differ from --trades-topic, got ${options.klinesTopic} for both`,
    );
  }
  if (options.replay === undefined) {
    if (command.getOptionValueSource('speed') !== 'default')
      fail("option '--speed <n|max>' applies only with --replay");
    const streams = streamNames(options.symbols, options.klineIntervals).length;
    if (streams > MAX_STREAMS_PER_CONNECTION) {
      fail(
        `option '--symbols <list>': ${streams} streams (symbols × (1 + kline intervals)) exceed Binance's ` +
          `${MAX_STREAMS_PER_CONNECTION} per connection`,
      );
    }
    if (options.overlap >= options.rotateAfter) {
      fail(
        `option '--overlap <duration>' must be shorter than --rotate-after (${Duration.format(options.rotateAfter)}), ` +
          `got ${Duration.format(options.overlap)}`,
      );
    }
    return;
  }
  for (const file of options.replay) {
    const found = await stat(file).catch(() => undefined);
    if (found === undefined) fail(`option '--replay <files...>': no such file: ${file}`);
    else if (!found.isFile()) fail(`option '--replay <files...>': not a file: ${file}`);
  }
};

/** The KafkaJS client's own log lines, as debug lines of ours. */
const kafkajsLogs =
  (log: Logger) =>
  () =>
  ({ namespace, label, log: entry }: { namespace: string; label: string; log: { message: string } }) =>
    log.debug({ client: 'kafkajs', namespace, clientLevel: label }, entry.message);

const transportFor = (options: ProduceOptions, log: Logger): (() => LogTransport) => {
  const brokers = options.brokers!;
  const clientId = 'tributary-crypto-produce';
  return options.client === 'platformatic'
    ? () => platformaticTransport({ brokers, clientId })
    : () => kafkaTransport({ brokers, clientId, kafkaConfig: { logCreator: kafkajsLogs(log) } });
};

/** Resolves `ms` after `signal` aborts (at once counted from now if it already has). */
const afterAbort = (signal: AbortSignal, ms: number): Promise<void> =>
  new Promise((resolve) => {
    const arm = () => setTimeout(resolve, ms).unref();
    if (signal.aborted) arm();
    else signal.addEventListener('abort', arm, { once: true });
  });

const run = async (io: CliIo, command: Command): Promise<void> => {
  const options = command.opts<ProduceOptions>();
  await validate(command, options);
  const { logLevel } = command.optsWithGlobals<{ logLevel?: string }>();
  const log = createLogger({
    app: 'tributary-crypto',
    name: 'produce',
    destination: io.stderr,
    ...(logLevel === undefined ? {} : { level: logLevel }),
  });
  const topics: ProduceTopics = { trades: options.tradesTopic, klines: options.klinesTopic };
  const publisher = new Publisher({
    transport: transportFor(options, log),
    topics: [
      { topic: topics.trades, partitions: options.partitions },
      { topic: topics.klines, partitions: options.partitions },
    ],
    maxBuffered: options.maxBuffered,
    backoff: BACKOFF,
    log,
  });

  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) {
      log.error(
        { signal, unsent: publisher.stats.buffered },
        'second signal: stopping now, without flushing',
      );
      process.exit(1);
    }
    log.info({ signal, shutdownTimeoutMs: options.shutdownTimeout }, 'stopping: flushing what is buffered');
    stopping.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = performance.now();
  const mode = options.replay === undefined ? 'live' : 'replay';
  const kafka = {
    brokers: options.brokers,
    client: options.client,
    topics,
    partitions: options.partitions,
    maxBuffered: options.maxBuffered,
  };
  const source =
    options.replay === undefined
      ? {
          endpoint: options.endpoint,
          symbols: options.symbols,
          klineIntervals: options.klineIntervals,
          idleTimeoutMs: options.idleTimeout,
          rotateAfterMs: options.rotateAfter,
          overlapMs: options.overlap,
        }
      : { replay: options.replay, speed: options.speed === Infinity ? 'max' : options.speed };
  log.info({ mode, ...kafka, ...source }, 'produce started');
  publisher.start();
  let summary: Record<string, unknown>;
  try {
    if (options.replay !== undefined) {
      const counts = await replayCaptures({
        captures: captureFiles(options.replay),
        speed: options.speed,
        topics,
        publisher,
        signal: stopping.signal,
      });
      if (counts.unreadable > 0) {
        log.warn(
          { unreadable: counts.unreadable, first: counts.unreadableExamples },
          'unreadable lines left out',
        );
      }
      if (counts.outOfOrder > 0) {
        log.warn(
          { outOfOrder: counts.outOfOrder },
          "lines whose local time goes back within their capture: published in the capture's order",
        );
      }
      summary = { lines: counts.lines, skipped: counts.skipped, unreadable: counts.unreadable };
    } else {
      const live = produceLive({
        url: combinedStreamUrl(options.endpoint, streamNames(options.symbols, options.klineIntervals)),
        idleTimeoutMs: options.idleTimeout,
        rotateAfterMs: options.rotateAfter,
        overlapMs: options.overlap,
        backoff: BACKOFF,
        topics,
        publisher,
        log,
      });
      await new Promise((resolve) => stopping.signal.addEventListener('abort', resolve, { once: true }));
      await live.feed.stop();
      summary = { skipped: live.skipped, ...live.feed.stats };
    }
    // A replay ends by publishing everything, however long the log takes to come back; a signal bounds the wait.
    await Promise.race([publisher.flush(), afterAbort(stopping.signal, options.shutdownTimeout)]);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { published, dropped, retries, buffered } = publisher.stats;
  await publisher.close();
  const finished = {
    mode,
    published,
    ...summary,
    dropped,
    unsent: buffered,
    sendRetries: retries,
    totalMs: Math.round(performance.now() - started),
  };
  if (buffered > 0) {
    log.error(finished, 'produce stopped with messages the log never acknowledged');
    process.exitCode = 1;
  } else log.info(finished, 'produce finished');
};

/** `produce`: Binance's live trades and klines, or recorded captures, into Kafka topics. */
export const produceCommand = (io: CliIo): Command =>
  withOptions(new Command('produce'), kafkaOptions())
    .description(
      "Publish Binance's live trades and klines (or recorded captures, with --replay) to Kafka, " +
        'one topic per stream type, each message as received, keyed by symbol.',
    )
    .addOption(
      new Option('--trades-topic <topic>', 'topic of the trade messages')
        .env('CRYPTO_TRADES_TOPIC')
        .default(DEFAULT_TOPICS.trades),
    )
    .addOption(
      new Option('--klines-topic <topic>', 'topic of the kline messages')
        .env('CRYPTO_KLINES_TOPIC')
        .default('binance-klines'),
    )
    .addOption(
      new Option(
        '--partitions <n>',
        'partitions of a topic that produce creates (existing topics stay as they are)',
      )
        .env('CRYPTO_PARTITIONS')
        .argParser(integerArgument(1))
        .default(4),
    )
    .addOption(
      new Option('--max-buffered <messages>', 'messages held at most while Kafka has not acknowledged them')
        .env('CRYPTO_MAX_BUFFERED')
        .argParser(integerArgument(1))
        .default(100_000),
    )
    .addOption(
      new Option('--endpoint <url>', "Binance's websocket endpoint (live)")
        .env('CRYPTO_BINANCE_ENDPOINT')
        .argParser(endpointArgument)
        .default(DEFAULT_ENDPOINT),
    )
    .addOption(
      new Option('--symbols <list>', 'symbols to subscribe to, comma-separated (live)')
        .env('CRYPTO_SYMBOLS')
        .argParser(symbolsArgument)
        .default(DEFAULT_SYMBOLS, DEFAULT_SYMBOLS.join(',')),
    )
    .addOption(
      new Option('--kline-intervals <list>', `kline intervals, comma-separated, or none (live)`)
        .env('CRYPTO_KLINE_INTERVALS')
        .argParser(intervalsArgument)
        .default(['1m'], '1m'),
    )
    .addOption(
      new Option(
        '--idle-timeout <duration>',
        'a connection on which nothing arrives for this long is replaced (live)',
      )
        .env('CRYPTO_IDLE_TIMEOUT')
        .argParser(durationArgument({ positive: true }))
        .default(30_000, '30s'),
    )
    .addOption(
      new Option(
        '--rotate-after <duration>',
        'a connection is replaced after this long; Binance cuts at 24h (live)',
      )
        .env('CRYPTO_ROTATE_AFTER')
        .argParser(durationArgument({ positive: true }))
        .default(23 * 3_600_000, '23h'),
    )
    .addOption(
      new Option(
        '--overlap <duration>',
        'how long the old and new connection both deliver when replacing (live)',
      )
        .env('CRYPTO_OVERLAP')
        .argParser(durationArgument({ positive: true }))
        .default(5_000, '5s'),
    )
    .option(
      '--replay <files...>',
      'publish these captures (`<local time> <combined-stream JSON>` lines, gzip or plain) instead of the live feed',
    )
    .addOption(
      new Option('--speed <n|max>', 'replay pace: n times the recorded pace, or max for as fast as possible')
        .env('CRYPTO_SPEED')
        .argParser(speedArgument)
        .default(1, '1'),
    )
    .addOption(
      new Option(
        '--shutdown-timeout <duration>',
        'on SIGINT or SIGTERM, how long to try to flush what is buffered',
      )
        .env('CRYPTO_SHUTDOWN_TIMEOUT')
        .argParser(durationArgument({ positive: false }))
        .default(30_000, '30s'),
    )
    .addHelpText(
      'after',
      `
Durations: '500ms', '30s', '1m', '23h', or whole milliseconds.

Examples, from the repository root:
  npm run crypto -- produce --brokers 127.0.0.1:19092
  npm run crypto -- produce --brokers 127.0.0.1:19092 --speed max \\
    --replay examples/crypto/data/btcusdt_20240808_head.gz examples/crypto/data/ethusdt_20240808_head.gz`,
    )
    .action(async (_options: unknown, command: Command) => run(io, command));
