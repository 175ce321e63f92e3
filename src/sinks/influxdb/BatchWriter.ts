import { TributaryException, type TributaryError } from '../../core/errors.js';
import { explainRejection } from './explainRejection.js';
import { retryDelay, type RetryPolicy } from './RetryPolicy.js';
import { describeFailure, failureKind, retryAfterMs, type WriteFailure } from './WriteFailure.js';

/** One write request's outcome, as a value. */
export type WriteOutcome = { readonly ok: true } | { readonly ok: false; readonly failure: WriteFailure };

/** Sends lines of line protocol in one request. */
export type SendLines = (lines: readonly string[]) => Promise<WriteOutcome>;

/** A line the server will never take, with the item it came from and the server's reason. */
export interface RefusedLine<T> {
  readonly item: T;
  readonly line: string;
  readonly status: number;
  readonly reason: string;
}

/** What the writer reports as it goes (for logs, metrics and statistics). */
export interface WriterEvents {
  /** `lines` more lines are written (stored by the server). */
  readonly written?: (lines: number) => void;
  /** The server answered a request of `lines` lines (success or refusal of some) after `ms`. */
  readonly answered?: (lines: number, ms: number) => void;
  /** A request failed and is sent again after `delayMs`; `failures` in a row so far. */
  readonly retrying?: (failure: WriteFailure, delayMs: number, failures: number) => void;
  /** A request succeeded after failures. */
  readonly recovered?: (failures: number) => void;
}

/** Timers; the global ones by default, fake ones in tests. */
export interface WriterClock {
  readonly setTimeout: (callback: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
  readonly now: () => number;
}

export interface BatchWriterOptions<T> {
  /** Lines per request. */
  readonly batchSize: number;
  /** How long a line may wait for its batch to fill before the batch is sent anyway. */
  readonly flushIntervalMs: number;
  /**
   * Requests in flight at once. Lines are spread over them by point identity (measurement, tags and
   * timestamp), so that the writes of one point always go in the order they were given, whatever fails
   * and is retried.
   */
  readonly lanes: number;
  readonly retry: RetryPolicy;
  readonly send: SendLines;
  /** Lines the server refused for good; called as soon as they are known. */
  readonly refused: (lines: readonly RefusedLine<T>[]) => void;
  readonly events?: WriterEvents;
  readonly clock?: WriterClock;
  readonly random?: () => number;
}

interface Batch<T> {
  readonly lines: string[];
  readonly items: T[];
  readonly settled: Promise<void>;
  readonly settle: () => void;
}

/** A failure the writer is waiting out, and what it means for a flush. */
interface Failing {
  readonly failure: WriteFailure;
  readonly error: TributaryError;
}

class Lane<T> {
  lines: string[] = [];
  items: T[] = [];
  readonly queue: Batch<T>[] = [];
  running = false;
  failing: Failing | undefined;
}

const GLOBAL_CLOCK: WriterClock = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending flush interval or retry must not keep a process alive that has nothing else to do.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * FNV-1a of a point's identity in its line: the series (up to the first unescaped space) and the
 * timestamp (after the last space). Two writes of one point always hash alike, so they go in order.
 */
const identityHash = (line: string): number => {
  let hash = 0x811c9dc5;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) break;
    hash = Math.imul(hash ^ c, 0x01000193);
    if (c === 92 && i + 1 < line.length) {
      i++;
      hash = Math.imul(hash ^ line.charCodeAt(i), 0x01000193);
    }
  }
  for (let j = line.lastIndexOf(' ') + 1; j > i && j < line.length; j++) {
    hash = Math.imul(hash ^ line.charCodeAt(j), 0x01000193);
  }
  return hash >>> 0;
};

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * Writes lines of line protocol in batches and never drops one: a batch is sent again, with backoff,
 * until the server answers; lines it refuses for good are isolated (from the server's message, else by
 * halving the batch) and handed to `refused`, and the rest of the batch is written. Everything else stays
 * here, counted by {@link pending}, until written: the caller bounds it by pausing its input.
 * Internal: the InfluxDB sink's engine, with the database behind `send`.
 */
export class BatchWriter<T> {
  private readonly lanes: Lane<T>[];
  private readonly clock: WriterClock;
  private readonly random: () => number;
  private pendingLines = 0;
  private peakLines = 0;
  private timer: unknown;
  private closed = false;
  /** Flushes waiting, each told when a failure makes it give up. */
  private readonly waiters = new Set<(error: TributaryError) => void>();
  /** Backoff waits in progress, ended early by `close`. */
  private readonly sleeps = new Set<() => void>();

  constructor(private readonly options: BatchWriterOptions<T>) {
    this.lanes = Array.from({ length: options.lanes }, () => new Lane<T>());
    this.clock = options.clock ?? GLOBAL_CLOCK;
    this.random = options.random ?? Math.random;
  }

  /** Takes a line (and the item it came from) to write. */
  add(line: string, item: T): void {
    if (this.closed) throw new Error('the InfluxDB writer is closed');
    const lane =
      this.lanes.length === 1 ? this.lanes[0]! : this.lanes[identityHash(line) % this.lanes.length]!;
    lane.lines.push(line);
    lane.items.push(item);
    if (++this.pendingLines > this.peakLines) this.peakLines = this.pendingLines;
    if (lane.lines.length >= this.options.batchSize) this.cut(lane);
    else if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.cutAll();
      }, this.options.flushIntervalMs);
    }
  }

  /** Lines taken and not yet written or refused. */
  pending(): number {
    return this.pendingLines;
  }

  /** The most lines pending at once so far. */
  peak(): number {
    return this.peakLines;
  }

  /** The failure being waited out, if any. */
  failing(): TributaryError | undefined {
    for (const lane of this.lanes) if (lane.failing) return lane.failing.error;
    return undefined;
  }

  /**
   * Resolves once every line taken so far is written or refused. Rejects (a `TributaryException`) as
   * soon as a request for them fails, or at once if the writer is waiting out a failure: `SINK_UNAVAILABLE`
   * (retriable) while the server cannot be reached or pushes back, `SINK_FAILED` while it refuses the
   * writes (token, bucket). The lines stay and are retried either way.
   */
  async flush(): Promise<void> {
    if (this.closed) throw new TributaryException(closedError());
    this.cutAll();
    const batches = this.lanes.flatMap((lane) => lane.queue);
    if (batches.length === 0) return;
    const failing = this.failing();
    if (failing) throw new TributaryException(failing);
    await new Promise<void>((resolve, reject) => {
      let left = batches.length;
      const giveUp = (error: TributaryError) => {
        this.waiters.delete(giveUp);
        reject(new TributaryException(error));
      };
      this.waiters.add(giveUp);
      for (const batch of batches) {
        void batch.settled.then(() => {
          if (--left === 0 && this.waiters.delete(giveUp)) resolve();
        });
      }
    });
  }

  /** Stops sending; lines not yet written stay unwritten (the caller did not commit past them). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    for (const wake of this.sleeps) wake();
    for (const giveUp of [...this.waiters]) giveUp(closedError());
  }

  private cutAll(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const lane of this.lanes) this.cut(lane);
  }

  private cut(lane: Lane<T>): void {
    if (lane.lines.length === 0) return;
    const { promise, resolve } = deferred();
    lane.queue.push({ lines: lane.lines, items: lane.items, settled: promise, settle: resolve });
    lane.lines = [];
    lane.items = [];
    if (!lane.running) void this.run(lane);
  }

  /** Sends a lane's batches one after another, each until it is settled. */
  private async run(lane: Lane<T>): Promise<void> {
    lane.running = true;
    try {
      while (lane.queue.length > 0 && !this.closed) {
        const batch = lane.queue[0]!;
        try {
          await this.settle(lane, batch.lines, batch.items);
        } catch (error) {
          // A callback threw (a metrics registry, say): keep the batch and try it again later, rather
          // than lose it or leave the lane stopped.
          this.fail(
            lane,
            { message: error instanceof Error ? error.message : String(error) },
            internalError(error),
          );
          await this.sleep(this.options.retry.maxMs);
          continue;
        }
        if (this.closed) return;
        lane.queue.shift();
        this.pendingLines -= batch.lines.length;
        batch.settle();
      }
    } finally {
      lane.running = false;
    }
  }

  /**
   * Writes `lines` or refuses those the server will never take, given the server's answer to them when
   * it is known already. Returns how many were refused.
   */
  private async settle(
    lane: Lane<T>,
    lines: readonly string[],
    items: readonly T[],
    known?: WriteFailure | 'ok',
  ): Promise<number> {
    const answer = known ?? (await this.answer(lane, lines));
    if (answer === undefined || answer === 'ok') return 0;
    const halves = async (): Promise<number> => {
      const middle = Math.ceil(lines.length / 2);
      return (
        (await this.settle(lane, lines.slice(0, middle), items.slice(0, middle))) +
        (await this.settle(lane, lines.slice(middle), items.slice(middle)))
      );
    };
    const status = answer.status ?? 0;
    if (failureKind(answer) === 'too-large') {
      return lines.length === 1 ? this.refuse(lines, items, [0], status, () => answer.message) : halves();
    }
    const explanation = explainRejection(status, answer.message, lines);
    switch (explanation.kind) {
      case 'parse': {
        // Nothing of the batch was written: refuse the named lines, send the others again.
        const { reasons } = explanation;
        this.refuse(lines, items, [...reasons.keys()], status, (i) => reasons.get(i)!);
        const rest = lines.map((_, i) => i).filter((i) => !reasons.has(i));
        return (
          reasons.size +
          (rest.length === 0 ? 0 : await this.settle(lane, pick(lines, rest), pick(items, rest)))
        );
      }
      case 'partial': {
        const { suspects, dropped } = explanation;
        if (suspects.length === lines.length || suspects.length === 0) {
          // Every line is suspect (or none is): all of them were dropped, or the batch must be halved.
          if (lines.length === 1 || (suspects.length === lines.length && dropped === lines.length)) {
            return this.refuse(
              lines,
              items,
              lines.map((_, i) => i),
              status,
              () => answer.message,
            );
          }
          return halves();
        }
        // The others were written, unless the server dropped more lines than the suspects: then the
        // others hold a failure the message did not describe, and are sent again to find it.
        const suspectLines = pick(lines, suspects);
        const confirmed = await this.settle(lane, suspectLines, pick(items, suspects));
        if (dropped !== undefined && dropped <= confirmed) {
          this.options.events?.written?.(lines.length - suspects.length);
          return confirmed;
        }
        const chosen = new Set(suspects);
        const rest = lines.map((_, i) => i).filter((i) => !chosen.has(i));
        return confirmed + (await this.settle(lane, pick(lines, rest), pick(items, rest)));
      }
      case 'unknown':
        return lines.length === 1 ? this.refuse(lines, items, [0], status, () => answer.message) : halves();
    }
  }

  /**
   * Sends `lines` until the server answers: `'ok'`, or a failure that says something about the lines
   * (`rejected`, `too-large`). No answer, 429 and 5xx are waited out with backoff (honouring
   * `Retry-After`), and so are refusals of every write (401, 403, 404) at the longest backoff, until
   * someone fixes the setup. `undefined` once the writer is closed.
   */
  private async answer(lane: Lane<T>, lines: readonly string[]): Promise<WriteFailure | 'ok' | undefined> {
    for (let failures = 0; ;) {
      if (this.closed) return undefined;
      const started = performance.now();
      const outcome = await this.options.send(lines).catch((error: unknown): WriteOutcome => ({
        ok: false,
        failure: { message: error instanceof Error ? error.message : String(error) },
      }));
      if (outcome.ok) {
        this.options.events?.answered?.(lines.length, performance.now() - started);
        this.options.events?.written?.(lines.length);
        this.recover(lane, failures);
        return 'ok';
      }
      const { failure } = outcome;
      const kind = failureKind(failure);
      if (kind === 'rejected' || kind === 'too-large') {
        this.options.events?.answered?.(lines.length, performance.now() - started);
        this.recover(lane, failures);
        return failure;
      }
      failures++;
      const delay =
        kind === 'refused'
          ? this.options.retry.maxMs
          : retryDelay(
              this.options.retry,
              failures,
              retryAfterMs(failure.retryAfter, this.clock.now()),
              this.random(),
            );
      this.fail(lane, failure, kind === 'refused' ? refusedError(failure) : unavailableError(failure, delay));
      this.options.events?.retrying?.(failure, delay, failures);
      await this.sleep(delay);
    }
  }

  /** Marks the lane as waiting out `failure`; flushes waiting give up with `error`. */
  private fail(lane: Lane<T>, failure: WriteFailure, error: TributaryError): void {
    lane.failing = { failure, error };
    for (const giveUp of [...this.waiters]) giveUp(error);
  }

  private recover(lane: Lane<T>, failures: number): void {
    if (lane.failing === undefined) return;
    lane.failing = undefined;
    this.options.events?.recovered?.(failures);
  }

  private refuse(
    lines: readonly string[],
    items: readonly T[],
    indices: readonly number[],
    status: number,
    reason: (index: number) => string,
  ): number {
    if (indices.length > 0) {
      this.options.refused(
        indices.map((i) => ({ item: items[i]!, line: lines[i]!, status, reason: reason(i) })),
      );
    }
    return indices.length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeps.delete(wake);
        this.clock.clearTimeout(handle);
        resolve();
      };
      const handle = this.clock.setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }
}

const pick = <A>(from: readonly A[], indices: readonly number[]): A[] => indices.map((i) => from[i]!);

const unavailableError = (failure: WriteFailure, delayMs: number): TributaryError => ({
  _tag: 'TributaryError',
  code: 'SINK_UNAVAILABLE',
  message: `InfluxDB did not take the write (${describeFailure(failure)}); it is sent again in ${delayMs} ms`,
  retriable: true,
});

const refusedError = (failure: WriteFailure): TributaryError => ({
  _tag: 'TributaryError',
  code: 'SINK_FAILED',
  message:
    `InfluxDB refuses every write (${describeFailure(failure)}): check the token's permissions, the org ` +
    'and the bucket; the points are kept and sent again',
  retriable: false,
});

const internalError = (cause: unknown): TributaryError => ({
  _tag: 'TributaryError',
  code: 'SINK_FAILED',
  message: `the InfluxDB sink failed: ${cause instanceof Error ? cause.message : String(cause)}; the batch is kept and sent again`,
  retriable: true,
  cause,
});

const closedError = (): TributaryError => ({
  _tag: 'TributaryError',
  code: 'SINK_FAILED',
  message: 'the InfluxDB sink is closed',
  retriable: false,
});
