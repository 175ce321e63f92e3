import * as t from 'io-ts';
import {
  aggregators,
  Application,
  fromField,
  json,
  sliding,
  tumbling,
  type AppLogger,
  type Candle,
  type KStream,
  type LogTransport,
  type ProcessingGuarantee,
  type Sink,
} from '../../src/index.js';
import type { Metrics } from '../../src/metrics/index.js';
import { influxSink, type InfluxConnection } from '../../src/sinks/influxdb/index.js';
import { averagePoints, candlePoints } from './influxSchema.js';
import { movingAverageStats, type MovingAverageSettings, type WindowStats } from './movingAverages.js';
import { binanceTradeMessage, toTrade, type BinanceTrade, type Trade } from './trade.js';

/** The candle intervals of the example. */
export const CANDLE_INTERVALS = ['1s', '1m', '15m', '1h', '1d'] as const;

/** One closed OHLCV candle of one symbol and interval. */
export interface CandleResult extends Candle {
  readonly symbol: string;
  readonly interval: string;
  /** Start of the candle, ms since the epoch, inclusive. */
  readonly start: number;
  /** End of the candle, exclusive. */
  readonly end: number;
}

/** Topics of the example: raw trade messages in, results out, kept apart. */
export interface CryptoTopics {
  /** Raw combined-stream trade messages, keyed by symbol (what `produce` writes). */
  readonly trades: string;
  /** Moving averages, one record per closed window, keyed by symbol. */
  readonly averages: string;
  /** Candles, one record per closed candle, keyed by symbol. */
  readonly candles: string;
}

export const DEFAULT_TOPICS: CryptoTopics = {
  trades: 'binance-trades',
  averages: 'crypto-averages',
  candles: 'crypto-candles',
};

/** How the `process` command runs the topology. */
export interface CryptoApplicationOptions extends MovingAverageSettings {
  readonly applicationId: string;
  readonly transport: LogTransport;
  readonly topics: CryptoTopics;
  /** How far the watermark trails the largest trade time (default 1 minute). */
  readonly watermarkMs: number;
  /**
   * `hopping` (default): windows of `windowMs` every `slideMs`. `sliding`: Kafka Streams sliding windows of
   * `windowMs`, a window per trade (their `count`, `average_price`, `volume` and `vwap` are the same).
   */
  readonly movingAverage: 'hopping' | 'sliding';
  readonly candleIntervals: readonly string[];
  /**
   * When set, the watermark follows the wall clock once every partition is caught up and no trade came for
   * this long, so that the last windows of a quiet (or replayed) stream close.
   */
  readonly idleCloseMs?: number;
  /** Writes the results to InfluxDB too (`crypto_avg` and `candles`). */
  readonly influx?: InfluxConnection;
  readonly processingGuarantee?: ProcessingGuarantee;
  readonly logger?: AppLogger;
  readonly metrics?: Metrics;
  /** Further sinks for the results, e.g. the live dashboard's feed. */
  readonly extraSinks?: {
    readonly averages?: Sink<string, WindowStats>;
    readonly candles?: Sink<string, CandleResult>;
  };
}

/** Kafka-Streams sliding windows of `windowMs`, with the same statistics as the hopping windows. */
const slidingStats = (trades: KStream<string, Trade>, windowMs: number): KStream<string, WindowStats> =>
  trades
    .window(sliding(windowMs))
    .aggregate(
      aggregators.combine({
        price: aggregators.mean((trade: Trade) => trade.price),
        notional: aggregators.sum((trade: Trade) => trade.price * trade.qty),
        volume: aggregators.sum((trade: Trade) => trade.qty),
        count: aggregators.count<Trade>(),
      }),
      { name: 'moving-average' },
    )
    .mapValues(({ window, value }, r): WindowStats => ({
      symbol: r.key,
      // As half-open intervals: a sliding window [s, s + D] ends at s + D + 1.
      windowStart: window.start,
      windowEnd: window.end,
      average_price: value.price,
      count: value.count,
      volume: value.volume,
      vwap: value.notional / value.volume,
    }));

/**
 * The crypto analytics application: raw Binance trade messages from `topics.trades` (decoded, bad ones to
 * `<trades>.dlq`; event time = the trade time `T`, watermark `watermarkMs` behind the latest) → per symbol,
 * moving averages (count, mean price, volume, VWAP) and OHLCV candles of every interval → the results
 * topics, and InfluxDB when configured: measurement `crypto_avg` (tag `symbol`; fields `average_price`,
 * `count`, `volume`, `vwap`) and `candles` (tags `symbol`, `interval`; fields `open`, `high`, `low`,
 * `close`, `volume`, `trades`), each point at its window's start. Not started: call `start()`.
 */
export const cryptoApplication = (options: CryptoApplicationOptions): Application => {
  const app = new Application({
    applicationId: options.applicationId,
    transport: options.transport,
    processingGuarantee: options.processingGuarantee ?? 'at-least-once',
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    stopOnSignals: false,
  });
  const trades = app
    .source({
      topic: options.topics.trades,
      value: binanceTradeMessage,
      timestamp: fromField((message: BinanceTrade) => message.T),
      watermark: {
        maxOutOfOrderness: options.watermarkMs,
        ...(options.idleCloseMs !== undefined ? { idleTimeout: options.idleCloseMs, idleClose: true } : {}),
      },
    })
    .mapValues(toTrade);

  const averages =
    options.movingAverage === 'sliding'
      ? slidingStats(
          trades.selectKey((trade) => trade.symbol),
          options.windowMs,
        )
      : movingAverageStats(trades, options, 0);
  const bySymbol = trades.selectKey((trade) => trade.symbol);
  const candles = options.candleIntervals.map((interval) =>
    bySymbol
      .window(tumbling(interval))
      .aggregate(aggregators.ohlcv({ price: (x: Trade) => x.price, volume: (x: Trade) => x.qty }), {
        name: `candles-${interval}`,
      })
      .mapValues(({ window, value }, r): CandleResult => ({
        symbol: r.key,
        interval,
        start: window.start,
        end: window.end,
        ...value,
      })),
  );
  const allCandles = candles.length === 1 ? candles[0]! : candles[0]!.merge(...candles.slice(1));

  const output = { key: json(t.string), value: json(t.unknown), create: { partitions: 4 } };
  app.to(averages, app.topicSink(options.topics.averages, output));
  app.to(allCandles, app.topicSink(options.topics.candles, output));
  if (options.influx) {
    app.to(
      averages,
      influxSink<string, WindowStats>({
        name: 'influxdb:crypto_avg',
        connection: options.influx,
        point: averagePoints,
        deadLetters: app.topicSink(`${options.topics.averages}.dlq`, output),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
    );
    app.to(
      allCandles,
      influxSink<string, CandleResult>({
        name: 'influxdb:candles',
        connection: options.influx,
        point: candlePoints,
        deadLetters: app.topicSink(`${options.topics.candles}.dlq`, output),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
    );
  }
  if (options.extraSinks?.averages) app.to(averages, options.extraSinks.averages);
  if (options.extraSinks?.candles) app.to(allCandles, options.extraSinks.candles);
  return app;
};
