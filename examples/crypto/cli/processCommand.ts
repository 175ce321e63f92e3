import { Command, Option } from 'commander';
import { Duration, kafkaTransport, platformaticTransport } from '../../../src/index.js';
import { createLogger } from '../../../src/metrics/index.js';
import {
  CANDLE_INTERVALS,
  cryptoApplication,
  DEFAULT_TOPICS,
  type CryptoApplicationOptions,
} from '../cryptoApplication.js';
import type { CliIo } from './CliIo.js';
import { durationArgument, durationOption, kafkaOptions, windowOptions, withOptions } from './options.js';

interface ProcessOptions {
  readonly brokers?: readonly string[];
  readonly client: 'kafkajs' | 'platformatic';
  readonly applicationId: string;
  readonly tradesTopic: string;
  readonly averagesTopic: string;
  readonly candlesTopic: string;
  readonly window: number;
  readonly slide: number;
  readonly watermark: number;
  readonly movingAverage: 'hopping' | 'sliding';
  readonly candles: readonly string[];
  readonly idleClose?: number;
  readonly exactlyOnce?: boolean;
  readonly influxUrl?: string;
  readonly influxOrg?: string;
  readonly influxBucket?: string;
}

/** A comma-separated list of candle intervals, each a duration. */
const candleList = (text: string): string[] => {
  const intervals = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (intervals.length === 0) throw new Error('Expected one or more intervals, e.g. 1m,1h.');
  for (const interval of intervals) durationArgument({ positive: true })(interval);
  return intervals;
};

const run = async (io: CliIo, command: Command): Promise<void> => {
  const options = command.opts<ProcessOptions>();
  const fail = (message: string): never =>
    command.error(`error: ${message}`, { code: 'crypto.invalidOption' });
  if (options.brokers === undefined)
    fail("option '--brokers <list>' (or KAFKA_BROKERS) is required: the Kafka to read trades from");
  if (options.slide > options.window) {
    fail(
      `option '--slide <duration>' must not exceed --window (${Duration.format(options.window)}), got ${Duration.format(options.slide)}`,
    );
  }
  const { logLevel } = command.optsWithGlobals<{ logLevel?: string }>();
  const logger = createLogger({
    app: 'tributary-crypto',
    name: 'process',
    destination: io.stderr,
    ...(logLevel === undefined ? {} : { level: logLevel }),
  });
  const brokers = options.brokers!;
  const transport =
    options.client === 'platformatic' ? platformaticTransport({ brokers }) : kafkaTransport({ brokers });
  // InfluxDB when a URL is given; the token only from INFLUX_TOKEN or INFLUX_TOKEN_FILE, never a flag.
  const influx =
    options.influxUrl === undefined
      ? undefined
      : {
          url: options.influxUrl,
          ...(options.influxOrg !== undefined ? { org: options.influxOrg } : {}),
          ...(options.influxBucket !== undefined ? { bucket: options.influxBucket } : {}),
        };
  const settings: CryptoApplicationOptions = {
    applicationId: options.applicationId,
    transport,
    topics: {
      trades: options.tradesTopic,
      averages: options.averagesTopic,
      candles: options.candlesTopic,
    },
    windowMs: options.window,
    slideMs: options.slide,
    watermarkMs: options.watermark,
    movingAverage: options.movingAverage,
    candleIntervals: options.candles,
    ...(options.idleClose !== undefined ? { idleCloseMs: options.idleClose } : {}),
    ...(influx ? { influx } : {}),
    processingGuarantee: options.exactlyOnce === true ? 'exactly-once' : 'at-least-once',
    logger,
  };
  const app = cryptoApplication(settings);
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      logger.info({}, 'stopping');
      app.stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  try {
    await app.start();
  } catch (error) {
    command.error(`error: cannot start: ${(error as Error).message}`, { code: 'crypto.startFailed' });
  }
  const { influxUrl: _url, ...shown } = options;
  logger.info({ ...shown, influx: influx !== undefined }, 'processing');
  await stopped;
};

/** `process`: Kafka trades → moving averages and candles → Kafka topics and InfluxDB. */
export const processCommand = (io: CliIo): Command =>
  withOptions(new Command('process'), [...kafkaOptions(), ...windowOptions()])
    .description(
      'Read the raw trades that `produce` publishes, compute per-symbol moving averages and OHLCV candles, ' +
        'and write them to Kafka topics and, when configured, InfluxDB. Runs until SIGINT or SIGTERM.',
    )
    .addOption(
      new Option('--application-id <id>', 'consumer group and prefix of the internal topics')
        .env('CRYPTO_APPLICATION_ID')
        .default('tributary-crypto'),
    )
    .addOption(
      new Option('--trades-topic <topic>', 'raw trade messages in')
        .env('CRYPTO_TRADES_TOPIC')
        .default(DEFAULT_TOPICS.trades),
    )
    .addOption(
      new Option('--averages-topic <topic>', 'moving averages out')
        .env('CRYPTO_AVERAGES_TOPIC')
        .default(DEFAULT_TOPICS.averages),
    )
    .addOption(
      new Option('--candles-topic <topic>', 'candles out')
        .env('CRYPTO_CANDLES_TOPIC')
        .default(DEFAULT_TOPICS.candles),
    )
    .addOption(
      new Option('--moving-average <kind>', 'hopping windows, or Kafka Streams sliding windows of --window')
        .choices(['hopping', 'sliding'])
        .env('CRYPTO_MOVING_AVERAGE')
        .default('hopping'),
    )
    .addOption(
      new Option('--candles <intervals>', 'candle intervals, comma-separated')
        .env('CRYPTO_CANDLES')
        .argParser(candleList)
        .default([...CANDLE_INTERVALS], CANDLE_INTERVALS.join(',')),
    )
    .addOption(
      durationOption(
        '--idle-close <duration>',
        'once caught up and quiet this long, let the watermark follow the clock (closes the last windows of a replay)',
        'CRYPTO_IDLE_CLOSE',
        { positive: true },
      ),
    )
    .addOption(
      new Option('--exactly-once', 'Kafka outputs in transactions (needs --client platformatic)').env(
        'CRYPTO_EXACTLY_ONCE',
      ),
    )
    .addOption(new Option('--influx-url <url>', 'write to this InfluxDB too').env('INFLUX_URL'))
    .addOption(new Option('--influx-org <org>', 'InfluxDB organization').env('INFLUX_ORG'))
    .addOption(new Option('--influx-bucket <bucket>', 'InfluxDB bucket').env('INFLUX_BUCKET'))
    .addHelpText(
      'after',
      `
The InfluxDB token comes from INFLUX_TOKEN or INFLUX_TOKEN_FILE only (never a flag, never logged).
Durations: '500ms', '30s', '1m', '1m30s', or whole milliseconds.

Example, with the project's services (npm run services -- up):
  KAFKA_BROKERS=127.0.0.1:19092 INFLUX_URL=http://127.0.0.1:18086 INFLUX_TOKEN=… INFLUX_ORG=tributary \\
  INFLUX_BUCKET=crypto npm run crypto -- process`,
    )
    .action(async (_options: unknown, command: Command) => run(io, command));
