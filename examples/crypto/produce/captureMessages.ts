import { parseCaptureLine } from '../capture.js';
import { toEpochNanos } from './localTime.js';

/** A message of a capture that `produce --replay` publishes: a trade or a kline. */
export interface CaptureMessage {
  /** The capture's file, and the line, from 1. */
  readonly source: string;
  readonly line: number;
  /** The local receive time in ns since the epoch, whatever unit the capture wrote it in. */
  readonly localTimeNs: bigint;
  /** The message's JSON exactly as captured (after the local time). */
  readonly json: string;
}

/** What the captures held besides the messages published. */
export interface CaptureCounts {
  /** Lines read. */
  lines: number;
  /** Messages that are not trades or klines, and blank lines, by kind (`bookTicker`, `depthUpdate`, …). */
  readonly skipped: Record<string, number>;
  /** Lines that are not `<integer> <JSON object>`. */
  unreadable: number;
  /** The first few unreadable lines, `file:line: reason`. */
  readonly unreadableExamples: string[];
  /** Lines whose local time is before the previous line's in the same capture. */
  outOfOrder: number;
}

export const captureCounts = (): CaptureCounts => ({
  lines: 0,
  skipped: {},
  unreadable: 0,
  unreadableExamples: [],
  outOfOrder: 0,
});

const EXAMPLES = 5;
const TIME_PREFIX = /^\d+[ \t]+/;

export { captureFileLines } from '../readCaptureFile.js';

/**
 * The trades and klines of one capture's lines, in file order, read by the rules of the `replay` command
 * (`parseCaptureLine`); other messages, blank and unreadable lines are only counted in `counts`.
 */
export async function* captureMessages(
  source: string,
  lines: AsyncIterable<string>,
  counts: CaptureCounts,
): AsyncGenerator<CaptureMessage> {
  let line = 0;
  let previous: bigint | undefined;
  for await (const text of lines) {
    line++;
    counts.lines++;
    const parsed = parseCaptureLine(text);
    if (parsed._tag === 'blank') {
      counts.skipped['blank'] = (counts.skipped['blank'] ?? 0) + 1;
      continue;
    }
    if (parsed._tag === 'invalid') {
      counts.unreadable++;
      if (counts.unreadableExamples.length < EXAMPLES) {
        counts.unreadableExamples.push(`${source}:${line}: ${parsed.reason}`);
      }
      continue;
    }
    const localTimeNs = toEpochNanos(parsed.localTime);
    if (previous !== undefined && localTimeNs < previous) counts.outOfOrder++;
    previous = localTimeNs;
    if (parsed._tag === 'other' && !parsed.kind.startsWith('kline')) {
      counts.skipped[parsed.kind] = (counts.skipped[parsed.kind] ?? 0) + 1;
      continue;
    }
    const trimmed = text.trim();
    yield { source, line, localTimeNs, json: trimmed.slice(TIME_PREFIX.exec(trimmed)![0].length) };
  }
}

/**
 * Several captures as one sequence, by local receive time: at each step the earliest of the captures'
 * next messages, the first capture given winning a tie, so each capture keeps its own order. For captures
 * whose times never go back (as recorders write them) this is the order of the `replay` command's merge.
 * Reads each capture only as far as needed.
 *
 * @example
 * ```ts
 * const counts = captureCounts();
 * const files = ['btcusdt_20240808.gz', 'ethusdt_20240808.gz'];
 * for await (const m of mergeByLocalTime(files.map((f) => captureMessages(f, captureFileLines(f), counts)))) {
 *   console.log(m.localTimeNs, m.json);
 * }
 * ```
 */
export async function* mergeByLocalTime<T extends { readonly localTimeNs: bigint }>(
  sources: readonly AsyncIterable<T>[],
): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  try {
    const heads = await Promise.all(iterators.map((it) => it.next()));
    for (;;) {
      let earliest = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!;
        if (head.done === true) continue;
        const best = heads[earliest];
        if (best === undefined || best.done === true || head.value.localTimeNs < best.value.localTimeNs) {
          earliest = i;
        }
      }
      const next = heads[earliest];
      if (next === undefined || next.done === true) return;
      yield next.value;
      heads[earliest] = await iterators[earliest]!.next();
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}
