import type { LogMessage } from '../../../src/index.js';
import type { Logger } from '../../../src/metrics/index.js';
import { BinanceFeed, type FeedSettings } from './BinanceFeed.js';
import { classifyMessage } from './binanceMessage.js';
import {
  captureCounts,
  captureFileLines,
  captureMessages,
  mergeByLocalTime,
  type CaptureCounts,
} from './captureMessages.js';
import type { Publisher } from './Publisher.js';
import { ReplayClock } from './ReplayClock.js';

/** The topics that `produce` publishes to, one per stream type. */
export interface ProduceTopics {
  readonly trades: string;
  readonly klines: string;
}

/** The header holding a message's local receive time: ns since the epoch, as a decimal string. */
export const RECEIVED_AT_HEADER = 'binance.received-at';

const encoder = new TextEncoder();

/**
 * The record of a message: keyed by its symbol, its value the message's bytes as received, the precise
 * local receive time in the {@link RECEIVED_AT_HEADER} header, and as timestamp that time in ms, or
 * `timestampMs` when given.
 *
 * @example
 * ```ts
 * binanceRecord('BTCUSDT', encoder.encode('{"stream":"btcusdt@trade","data":{}}'), 1723161254087896568n);
 * // { key: 'BTCUSDT' as bytes, value: …, timestamp: 1723161254087,
 * //   headers: { 'binance.received-at': '1723161254087896568' } }
 * ```
 */
export const binanceRecord = (
  symbol: string,
  value: Uint8Array,
  receivedAtNs: bigint,
  timestampMs = Number(receivedAtNs / 1_000_000n),
): LogMessage => ({
  key: encoder.encode(symbol),
  value,
  timestamp: timestampMs,
  headers: { [RECEIVED_AT_HEADER]: receivedAtNs.toString() },
});

/** Resolves after `ms`, or when `signal` aborts. */
const wait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/** A capture to replay: its name (the file) and its lines, read as they are consumed. */
export interface CaptureSource {
  readonly source: string;
  readonly lines: AsyncIterable<string>;
}

/** The captures in files, gzip or plain. */
export const captureFiles = (files: readonly string[]): CaptureSource[] =>
  files.map((source) => ({ source, lines: captureFileLines(source) }));

export interface ReplayOptions {
  readonly captures: readonly CaptureSource[];
  /** How many times faster than recorded; `Infinity` for as fast as possible. */
  readonly speed: number;
  readonly topics: ProduceTopics;
  readonly publisher: Publisher;
  /** Stops the replay after the message at hand. */
  readonly signal: AbortSignal;
  /** The wall clock in ms (the replay's pace). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Publishes the trades and klines of captures, merged by local receive time ({@link mergeByLocalTime}),
 * at their recorded pace times `speed`, in that order. A full buffer pauses the reading: nothing is
 * dropped. Each record's header has the recorded receive time, and its timestamp is the time it was
 * replayed: a broker's time-based retention would delete records stamped with a past recording's times at
 * its next check. Resolves when the last message is queued (not yet acknowledged: flush the publisher) or the
 * signal aborted, with what the captures held besides.
 */
export const replayCaptures = async ({
  captures,
  speed,
  topics,
  publisher,
  signal,
  now = Date.now,
}: ReplayOptions): Promise<CaptureCounts> => {
  const counts = captureCounts();
  const clock = new ReplayClock(speed);
  const messages = mergeByLocalTime(captures.map((c) => captureMessages(c.source, c.lines, counts)));
  for await (const m of messages) {
    if (signal.aborted) break;
    const delay = clock.delay(m.localTimeNs, now());
    if (delay >= 1) await wait(delay, signal);
    if (signal.aborted) break;
    const message = classifyMessage(m.json);
    if (message._tag !== 'trade' && message._tag !== 'kline') {
      counts.unreadable++;
      if (counts.unreadableExamples.length < 5) {
        const reason = message._tag === 'invalid' ? message.reason : message.kind;
        counts.unreadableExamples.push(`${m.source}:${m.line}: ${reason}`);
      }
      continue;
    }
    const topic = message._tag === 'trade' ? topics.trades : topics.klines;
    const record = binanceRecord(message.symbol, encoder.encode(m.json), m.localTimeNs, now());
    const queued = await publisher.publish(topic, record);
    if (!queued) break;
  }
  return counts;
};

export interface LiveOptions extends FeedSettings {
  readonly topics: ProduceTopics;
  readonly publisher: Publisher;
  readonly log: Logger;
  readonly random?: () => number;
  readonly clock?: () => bigint;
}

/** A running live feed and what it skipped. */
export interface Live {
  readonly feed: BinanceFeed;
  /** Messages that are neither trades nor klines, by kind. */
  readonly skipped: Record<string, number>;
}

/**
 * Publishes Binance's live trades and klines as they arrive ({@link BinanceFeed}). When the buffer is
 * full, messages are dropped and counted (a live feed cannot be paused). Stop it with `feed.stop()`.
 */
export const produceLive = ({ topics, publisher, log, ...settings }: LiveOptions): Live => {
  const skipped: Record<string, number> = {};
  const feed = new BinanceFeed({
    ...settings,
    log,
    onMessage: ({ data, message, receivedAtNs }) => {
      if (message._tag === 'trade' || message._tag === 'kline') {
        const topic = message._tag === 'trade' ? topics.trades : topics.klines;
        publisher.offer(topic, binanceRecord(message.symbol, data, receivedAtNs));
        return;
      }
      const kind = message._tag === 'other' ? message.kind : 'invalid';
      if ((skipped[kind] = (skipped[kind] ?? 0) + 1) === 1) {
        log.warn(
          { kind, message: data.toString('utf8').slice(0, 200) },
          'a message that is not a trade or kline: skipped',
        );
      }
    },
  });
  feed.start();
  return { feed, skipped };
};
