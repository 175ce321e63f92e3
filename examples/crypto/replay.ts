import * as E from 'fp-ts/lib/Either.js';
import { Observable } from 'rxjs';
import {
  KStream,
  MemoryLog,
  record,
  RunContext,
  Watermark,
  type Diverted,
  type LogMessage,
  type StreamRecord,
} from '../../src/index.js';
import { mergeCaptures, skippedTotals, type Capture } from './captures.js';
import {
  eventTime,
  movingAverages,
  type MovingAverageSettings,
  type WindowAverage,
} from './movingAverages.js';
import { binanceTrade, toTrade, type Trade } from './trade.js';

/** What a replay runs with, in milliseconds. */
export interface ReplaySettings extends MovingAverageSettings {
  /** How far the watermark trails the largest trade time seen (`--watermark`, default 1 minute). */
  readonly watermarkMs: number;
}

/** A line or trade that could not be used, with why. */
export interface DeadLetter {
  /** The capture (file) and line it came from. */
  readonly source: string;
  readonly line: number;
  /** `DECODE_FAILED` for a trade the codec rejected, `CAPTURE_LINE_INVALID` for an unreadable line. */
  readonly code: 'DECODE_FAILED' | 'CAPTURE_LINE_INVALID';
  readonly message: string;
  /** For a decode failure, what is wrong where (`p: expected PositiveDecimal, got "abc"`). */
  readonly paths: readonly string[];
  /** The trade event's JSON text, or the whole unreadable line. */
  readonly value: string;
}

/** How much of what. */
export interface ReplayCounts {
  /** Lines read, of every capture. */
  readonly lines: number;
  /** Trade messages, in the log. */
  readonly trades: number;
  /** Trades that decoded and entered the pipeline (late ones included). */
  readonly decoded: number;
  /** Trades whose windows had all closed when they arrived. */
  readonly late: number;
  /** Windows written. */
  readonly windows: number;
  /** Trades the codec rejected. */
  readonly decodeFailures: number;
  /** Lines that are not `<integer> <JSON object>`. */
  readonly unreadableLines: number;
  /** Messages that are not trades, by kind. */
  readonly skipped: Readonly<Record<string, number>>;
}

export interface ReplayResult {
  /** Every closed window, by `windowEnd`, then `symbol`. */
  readonly windows: readonly WindowAverage[];
  /** The late trades' JSON text as captured, in arrival order. */
  readonly late: readonly string[];
  /** Unreadable lines and trades that failed to decode, in input order. */
  readonly deadLetters: readonly DeadLetter[];
  readonly counts: ReplayCounts;
}

const TOPIC = 'trades';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const byEndThenSymbol = (a: WindowAverage, b: WindowAverage): number =>
  a.windowEnd - b.windowEnd || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);

/**
 * Replays captures through the moving-average pipeline on the in-memory log, deterministically: the
 * captures' lines are merged by local receive time, their trade messages appended in that order to one
 * partition of a `trades` topic, and the pipeline reads that partition from the start to its end, decoding
 * each record with the trade codec (event time: the trade time `T`). When the input ends, the watermark
 * goes to infinity and every open window closes. Everything runs synchronously, with no clock.
 *
 * Other messages are counted by kind; trades that fail to decode and unreadable lines are returned as
 * dead letters, never part of a window.
 */
export const replay = (
  captures: readonly Capture[],
  settings: ReplaySettings,
  /** Records per read of the log; results do not depend on it. */
  { batchSize = 1_000 }: { readonly batchSize?: number } = {},
): ReplayResult => {
  const input = mergeCaptures(captures);
  const log = new MemoryLog({ now: () => 0 });
  log.createTopic(TOPIC, { partitions: 1 });

  // Dead letters are reported in input order: each remembers where the input had it.
  const deadLetters: { readonly at: number; readonly letter: DeadLetter }[] = [];
  const positions: number[] = [];
  const messages: LogMessage[] = [];
  for (let at = 0; at < input.length; at++) {
    const line = input[at]!;
    if (line._tag === 'unreadable') {
      deadLetters.push({
        at,
        letter: {
          source: line.source,
          line: line.line,
          code: 'CAPTURE_LINE_INVALID',
          message: line.reason,
          paths: [],
          value: line.text,
        },
      });
      continue;
    }
    positions.push(at);
    messages.push({ key: null, value: encoder.encode(line.payload), partition: 0 });
  }
  log.produce(TOPIC, messages);
  const payloadAt = (offset: string): string => {
    const stored = log.fetch(TOPIC, 0, offset, 1).records[0]!;
    return decoder.decode(stored.value!);
  };

  let decoded = 0;
  const timeOf = eventTime(settings);
  const batches = new Observable<readonly StreamRecord<null, Trade>[]>((subscriber) => {
    let offset = log.beginningOffset(TOPIC, 0);
    for (;;) {
      const batch = log.fetch(TOPIC, 0, offset, batchSize);
      if (batch.records.length === 0) break;
      const records: StreamRecord<null, Trade>[] = [];
      for (const r of batch.records) {
        const origin = { topic: TOPIC, partition: 0, offset: r.offset };
        const result = binanceTrade.deserialize(r.value, origin);
        if (E.isRight(result)) {
          const trade = toTrade(result.right);
          records.push(record(null, trade, timeOf(trade), r.headers, origin));
          continue;
        }
        const at = positions[Number(r.offset)]!;
        const line = input[at]!;
        deadLetters.push({
          at,
          letter: {
            source: line.source,
            line: line.line,
            code: 'DECODE_FAILED',
            message: result.left.message,
            paths: result.left.paths,
            value: decoder.decode(r.value!),
          },
        });
      }
      decoded += records.length;
      if (records.length > 0) subscriber.next(records);
      offset = batch.nextOffset;
    }
    subscriber.complete();
  });

  const source = KStream.fromBatches(batches, {
    watermark: { maxOutOfOrderness: settings.watermarkMs },
    partitions: [0],
  });
  const ctx = new RunContext();
  const windows: WindowAverage[] = [];
  const late: string[] = [];
  const unexpected: Diverted[] = [];
  let ended = false;
  let failure: unknown;
  ctx.diverted.subscribe((d) => {
    if (d.reason === 'late' && d.record.origin !== undefined) late.push(payloadAt(d.record.origin.offset));
    else unexpected.push(d);
  });
  movingAverages(source, settings)
    .chunks(ctx)
    .subscribe({
      next: (chunk) => {
        for (const e of chunk) if (!(e instanceof Watermark)) windows.push(e.value);
      },
      error: (error: unknown) => (failure = error),
      complete: () => (ended = true),
    });
  ctx.start();
  if (failure !== undefined) throw failure;
  if (!ended) throw new Error('the replay did not reach the end of its input');
  if (unexpected.length > 0) {
    throw new Error(
      `records were diverted unexpectedly: ${unexpected.map((d) => d.error.message).join('; ')}`,
    );
  }

  windows.sort(byEndThenSymbol);
  deadLetters.sort((a, b) => a.at - b.at);
  const letters = deadLetters.map((d) => d.letter);
  return {
    windows,
    late,
    deadLetters: letters,
    counts: {
      lines: captures.reduce((n, c) => n + c.lineCount, 0),
      trades: messages.length,
      decoded,
      late: late.length,
      windows: windows.length,
      decodeFailures: letters.filter((d) => d.code === 'DECODE_FAILED').length,
      unreadableLines: letters.filter((d) => d.code === 'CAPTURE_LINE_INVALID').length,
      skipped: skippedTotals(captures),
    },
  };
};
