import { parseCaptureLine } from './capture.js';

/** Where a line came from: the capture's name (its file) and the line number, from 1. */
export interface LinePosition {
  readonly source: string;
  readonly line: number;
}

/** A trade message of a capture, its event JSON not checked yet. */
export interface CapturedTrade extends LinePosition {
  readonly _tag: 'trade';
  readonly localTime: bigint;
  readonly payload: string;
}

/** A line that could not be read, kept with the reason so that it can be reported. */
export interface UnreadableLine extends LinePosition {
  readonly _tag: 'unreadable';
  readonly localTime: bigint | undefined;
  readonly text: string;
  readonly reason: string;
}

export type CapturedLine = CapturedTrade | UnreadableLine;

/** One capture, read: its trades and unreadable lines in file order, and how many other messages it held. */
export interface Capture {
  readonly source: string;
  readonly lines: readonly CapturedLine[];
  /** Messages that are not trades, by kind (`bookTicker`, `depthUpdate`, `depthSnapshot`, `blank`, …). */
  readonly skipped: ReadonlyMap<string, number>;
  /** Lines read. */
  readonly lineCount: number;
}

/**
 * Reads a capture line by line (from a file stream or an array alike): trades and unreadable lines are
 * kept, other messages only counted.
 *
 * @example
 * ```ts
 * const reader = new CaptureReader('btcusdt_20240808.gz');
 * for (const line of lines) reader.add(line);
 * const capture = reader.capture();
 * ```
 */
export class CaptureReader {
  private readonly lines: CapturedLine[] = [];
  private readonly skipped = new Map<string, number>();
  private lineCount = 0;

  constructor(private readonly source: string) {}

  add(text: string): void {
    const line = ++this.lineCount;
    const { source } = this;
    const parsed = parseCaptureLine(text);
    switch (parsed._tag) {
      case 'trade':
        this.lines.push({
          _tag: 'trade',
          source,
          line,
          localTime: parsed.localTime,
          payload: parsed.payload,
        });
        return;
      case 'invalid':
        this.lines.push({
          _tag: 'unreadable',
          source,
          line,
          localTime: parsed.localTime,
          text,
          reason: parsed.reason,
        });
        return;
      case 'other':
        this.count(parsed.kind);
        return;
      case 'blank':
        this.count('blank');
        return;
    }
  }

  capture(): Capture {
    return { source: this.source, lines: this.lines, skipped: this.skipped, lineCount: this.lineCount };
  }

  private count(kind: string): void {
    this.skipped.set(kind, (this.skipped.get(kind) ?? 0) + 1);
  }
}

const byLocalTime = (a: CapturedLine, b: CapturedLine): number => {
  // A line without a readable local time sorts first: it is reported, never replayed.
  const x = a.localTime ?? -1n;
  const y = b.localTime ?? -1n;
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The lines of several captures as one input, ordered by local receive time. Lines with the same local
 * time keep the order of their captures as given, then their file order (a stable sort), so a single
 * capture whose times never go back keeps its order exactly.
 *
 * @example
 * ```ts
 * const input = mergeCaptures([btc.capture(), eth.capture()]);
 * ```
 */
export const mergeCaptures = (captures: readonly Capture[]): CapturedLine[] =>
  captures.flatMap((c) => c.lines).sort(byLocalTime);

/** The skipped messages of several captures, by kind, added up. */
export const skippedTotals = (captures: readonly Capture[]): Record<string, number> => {
  const totals: Record<string, number> = {};
  for (const c of captures) for (const [kind, n] of c.skipped) totals[kind] = (totals[kind] ?? 0) + n;
  return totals;
};
