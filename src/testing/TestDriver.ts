import { Subject, VirtualTimeScheduler } from 'rxjs';
import { Watermark, type Chunk, type Diverted } from '../core/Chunk.js';
import { KStream } from '../core/KStream.js';
import { RunContext } from '../core/RunContext.js';
import type { Headers, StreamRecord } from '../core/StreamRecord.js';
import { unsafeToMillis, type Duration } from '../time/Duration.js';
import type { WatermarkOptions } from '../time/WatermarkOptions.js';

/** Options of a {@link TestDriver}. */
export interface TestDriverOptions {
  /** Watermark of the input, as a source would be configured. Default: no out-of-orderness. */
  readonly watermark?: WatermarkOptions;
  /** Input partitions, each holding the watermark back until it has data. Default `[0]`. */
  readonly partitions?: readonly number[];
  /** Virtual wall-clock time at start (ms since the epoch). Default `0`. */
  readonly startTime?: number;
  /** Topic name given to input records' origin. Default `'input'`. */
  readonly topic?: string;
}

/** One input record for {@link TestDriver.sendAll}. */
export interface TestInput<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly partition?: number;
  readonly headers?: Headers;
}

/**
 * Drives a pipeline without a broker, on virtual time — what Kafka Streams' `TopologyTestDriver` gives
 * Java users. Send records with explicit timestamps (and partitions), advance the watermark or the
 * virtual wall clock, end the input, and read what came out: output records, watermarks, and every record
 * an operator diverted (late, from the future).
 *
 * Everything runs synchronously: each call returns once the pipeline has processed its input.
 *
 * @example
 * ```ts
 * import { aggregators, tumbling } from 'tributary';
 * import { TestDriver } from 'tributary/testing';
 * const driver = TestDriver.create((input) => input.window(tumbling('10s')).aggregate(aggregators.count()), {
 *   watermark: { maxOutOfOrderness: '5s' },
 * });
 * driver.send('a', 1, 1_000).send('a', 2, 3_000).send('a', 3, 16_000);
 * driver.outputs.map((r) => r.value); // [{ emit: 'final', window: { start: 0, end: 10000 }, value: 2 }]
 * driver.end();
 * ```
 */
export class TestDriver<K, V, KO, VO> {
  /** Every output record so far, in order. */
  readonly outputs: StreamRecord<KO, VO>[] = [];
  /** Every watermark the output stream carried, in order. */
  readonly watermarks: number[] = [];
  /** Every record an operator took off its stream (late, future), in order. */
  readonly diverted: Diverted[] = [];

  private readonly input = new Subject<Chunk<K, V>>();
  private readonly scheduler = new VirtualTimeScheduler();
  private readonly ctx: RunContext;
  private readonly offsets = new Map<number, number>();
  private readonly topic: string;
  private caughtUp = true;
  private completed = false;
  private failure: unknown;

  private constructor(topology: (input: KStream<K, V>) => KStream<KO, VO>, options: TestDriverOptions) {
    this.scheduler.frame = options.startTime ?? 0;
    this.topic = options.topic ?? 'input';
    this.ctx = new RunContext({ scheduler: this.scheduler });
    const source = KStream.fromChunks(this.input, {
      ...(options.watermark ? { watermark: options.watermark } : {}),
      partitions: options.partitions ?? [0],
      caughtUp: () => this.caughtUp,
    });
    const output = topology(source);
    this.ctx.diverted.subscribe((d) => this.diverted.push(d));
    output.chunks(this.ctx).subscribe({
      next: (chunk) => {
        for (const e of chunk) {
          if (e instanceof Watermark) this.watermarks.push(e.time);
          else this.outputs.push(e);
        }
      },
      error: (err) => {
        this.failure = err;
      },
      complete: () => {
        this.completed = true;
      },
    });
    this.ctx.start();
  }

  /** Builds a driver around `topology`, which receives the input stream and returns the output stream. */
  static create<K, V, KO, VO>(
    topology: (input: KStream<K, V>) => KStream<KO, VO>,
    options: TestDriverOptions = {},
  ): TestDriver<K, V, KO, VO> {
    return new TestDriver(topology, options);
  }

  /** Sends one record. */
  send(
    key: K,
    value: V,
    timestamp: number,
    options: { readonly partition?: number; readonly headers?: Headers } = {},
  ): this {
    return this.sendAll([{ key, value, timestamp, ...options }]);
  }

  /** Sends records as one batch (as a log delivers them). */
  sendAll(inputs: readonly TestInput<K, V>[]): this {
    const chunk = inputs.map((i) => {
      const partition = i.partition ?? 0;
      const offset = this.offsets.get(partition) ?? 0;
      this.offsets.set(partition, offset + 1);
      return {
        key: i.key,
        value: i.value,
        timestamp: i.timestamp,
        headers: i.headers ?? {},
        origin: { topic: this.topic, partition, offset: String(offset) },
      };
    });
    this.input.next(chunk);
    return this.check();
  }

  /** Raises the input watermark explicitly (as an upstream operator would). */
  advanceWatermark(time: number): this {
    this.input.next([new Watermark(time)]);
    return this.check();
  }

  /** Moves the virtual wall clock forward, running idleness and idle-close timers that fall due. */
  advanceClock(by: Duration): this {
    const target = this.scheduler.now() + unsafeToMillis(by, 'advanceClock');
    this.scheduler.maxFrames = target;
    this.scheduler.flush();
    this.scheduler.frame = target;
    return this.check();
  }

  /** Says whether the input has been read to its end (idle close waits for it). Default `true`. */
  setCaughtUp(caughtUp: boolean): this {
    this.caughtUp = caughtUp;
    return this;
  }

  /** Ends the input: event time ends, every open window closes. */
  end(): this {
    this.input.complete();
    return this.check();
  }

  /** The virtual wall-clock time. */
  now(): number {
    return this.scheduler.now();
  }

  /** Output values so far. */
  values(): VO[] {
    return this.outputs.map((r) => r.value);
  }

  /** Diverted records of reason `late`, as the operator that diverted them saw them (e.g. after `selectKey`). */
  late(): StreamRecord<unknown, unknown>[] {
    return this.diverted.filter((d) => d.reason === 'late').map((d) => d.record);
  }

  /** Entries held by the pipeline's stateful operators (zero once every window has closed). */
  stateEntries(): number {
    return this.ctx.stateEntries();
  }

  /** Whether the output stream has completed. */
  isComplete(): boolean {
    return this.completed;
  }

  private check(): this {
    if (this.failure !== undefined) throw this.failure;
    return this;
  }
}
