import { from, isObservable, Observable, Subject, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { Aggregator } from '../windows/Aggregator.js';
import { windowAggregate } from '../windows/windowAggregate.js';
import type { EmitMode, WindowResult } from '../windows/WindowResult.js';
import type { WindowSpec } from '../windows/WindowSpec.js';
import { resolveWatermarkOptions, type WatermarkOptions } from '../time/WatermarkOptions.js';
import type { WatermarkSettings } from '../time/WatermarkTracker.js';
import { pushWatermark, Watermark, type Chunk, type Element } from './Chunk.js';
import { operatorFailed, TributaryException } from './errors.js';
import { chainStages, materialize, type AnyStage, type Stage } from './Stage.js';
import { RunContext } from './RunContext.js';
import type { Headers, StreamRecord } from './StreamRecord.js';
import { withWatermarks, type WatermarkRuntime, type WatermarkState } from './withWatermarks.js';

/** What `map` returns: a new key and value, optionally a new timestamp or headers. */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp?: number;
  readonly headers?: Headers;
}

/** Options of a source built from records. */
export interface SourceOptions {
  /** How the watermark is derived. Default: no out-of-orderness, no idleness. */
  readonly watermark?: WatermarkOptions;
  /** Partitions known from the start (default: learned from the records' origin, partition 0 otherwise). */
  readonly partitions?: readonly number[];
  /** Whether the source has read everything available; gates idle close. */
  readonly caughtUp?: () => boolean;
  /** The partitions read, as a consumer group's assignment changes (see `WatermarkRuntime.assignment`). */
  readonly assignment?: Observable<readonly number[]>;
  /** Names the source's watermark state in a run (`RunContext.watermarks`). Default `'source'`. */
  readonly name?: string;
}

/** Options of a windowed aggregation. */
export interface AggregateOptions<E extends EmitMode> {
  /** `final` (default): each window once, when it closes. `updates`: on every change. */
  readonly emit?: E;
  /** Operator name, for state, metrics and diverted records. Default `'<kind>-window'`. */
  readonly name?: string;
}

type Build<K, V> = (ctx: RunContext) => Observable<Chunk<K, V>>;

/** A source's input before watermarks, and its options. */
interface SourceInput {
  readonly chunks: Observable<Chunk<unknown, unknown>>;
  readonly options: SourceOptions;
}

/** A source's watermark configuration in a run. Bad options throw here, naming the field. */
const sourceWatermarks = (
  { options }: SourceInput,
  ctx: RunContext,
): { readonly settings: WatermarkSettings; readonly runtime: WatermarkRuntime } => ({
  settings: resolveWatermarkOptions(options.watermark ?? {}),
  runtime: {
    scheduler: ctx.scheduler,
    divert: ctx.divert,
    ...(options.partitions ? { partitions: options.partitions } : {}),
    ...(options.caughtUp ? { caughtUp: options.caughtUp } : {}),
    ...(options.assignment ? { assignment: options.assignment } : {}),
    register: (state: WatermarkState) => ctx.watermarks.set(options.name ?? 'source', state),
  },
});

/** What a consumer reads: see {@link KStream.chainedFrom}. */
export interface ChainedInput {
  readonly chunks: Observable<Chunk<unknown, unknown>>;
  readonly stages: readonly AnyStage[];
  readonly names: readonly string[];
  /** Present when the chunks carry no watermarks yet: the consumer assigns them. */
  readonly watermarks?: { readonly settings: WatermarkSettings; readonly runtime: WatermarkRuntime };
}

/** Runs a chain of stages over every record of every chunk; watermarks pass through in place. */
const runStages =
  <K, V, K2, V2>(name: string, stages: readonly AnyStage[]) =>
  (source: Observable<Chunk<K, V>>): Observable<Chunk<K2, V2>> =>
    new Observable((subscriber) => {
      let out: Element<K2, V2>[] = [];
      const push = chainStages<K, V, K2, V2>(stages, (key, value, timestamp, headers, from) => {
        out.push(materialize(key, value, timestamp, headers, from));
      });
      return source.subscribe({
        next(chunk) {
          let i = 0;
          try {
            for (; i < chunk.length; i++) {
              const e = chunk[i]!;
              if (e instanceof Watermark) pushWatermark(out, e);
              else push(e.key, e.value, e.timestamp, e.headers, e);
            }
          } catch (cause) {
            const failed = chunk[i] as StreamRecord<K, V>;
            subscriber.error(new TributaryException(operatorFailed(name, cause, failed.origin)));
            return;
          }
          if (out.length > 0) {
            const ready = out;
            out = [];
            subscriber.next(ready);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });

/**
 * Whether a user function given `(value, record)` reads the record. One that declares a single parameter
 * does not, and is called without building the record, so a chain of such operators allocates nothing.
 */
const wantsRecord = (f: (...args: never[]) => unknown): boolean => f.length !== 1;

/** Passed in place of the record to functions that do not declare the parameter. */
const NO_RECORD = undefined as never;

/**
 * A stream of keyed, timestamped records: a description of a pipeline, built once per run.
 * Chain stateless operators (`map`, `filter`, `selectKey`, …), window and aggregate, then run it with the
 * test driver or `records()`. Records flow in chunks (as Kafka delivers them), so the cost of
 * RxJS is paid per chunk, not per record; any RxJS operator still applies per record through `through`.
 *
 * @example
 * ```ts
 * import { aggregators, hopping, KStream, record } from 'tributary';
 * interface Trade { symbol: string; price: number }
 * const trades = KStream.from([record(null, { symbol: 'BTCUSDT', price: 64000 }, 1_000)]);
 * const averages = trades
 *   .filter((t) => t.price > 0)
 *   .selectKey((t) => t.symbol)
 *   .window(hopping('30s', '5s'))
 *   .aggregate(aggregators.mean((t: Trade) => t.price));
 * ```
 */
export class KStream<K, V> {
  /** How many operators consume this stream; a stateless stream with one consumer is chained into it. */
  private consumers = 0;

  private constructor(
    private readonly name: string,
    private readonly parents: readonly KStream<unknown, unknown>[],
    private readonly build: Build<K, V>,
    /** Set on stateless operators, which can be chained. */
    private readonly stage?: AnyStage,
    /** Set on sources: the chunks before watermarks, which a sole consumer may watermark itself. */
    private readonly origin?: SourceInput,
  ) {
    for (const parent of parents) parent.consumers++;
  }

  // ----- sources --------------------------------------------------------------------------------------

  /**
   * A stream of the given records, with watermarks assigned per `options.watermark`. Each emission of an
   * Observable is one chunk; an array or iterable is one chunk. The source starts when the run starts.
   */
  static from<K, V>(
    records: ObservableInput<StreamRecord<K, V>> | Iterable<StreamRecord<K, V>>,
    options: SourceOptions = {},
  ): KStream<K, V> {
    const chunks: Observable<Chunk<K, V>> = isObservable(records)
      ? new Observable<Chunk<K, V>>((s) =>
          records.subscribe({
            next: (r) => s.next([r]),
            error: (e) => s.error(e),
            complete: () => s.complete(),
          }),
        )
      : Symbol.iterator in Object(records)
        ? new Observable<Chunk<K, V>>((s) => {
            s.next(Array.from(records as Iterable<StreamRecord<K, V>>));
            s.complete();
          })
        : from(records as ObservableInput<StreamRecord<K, V>>).pipe(
            (o) =>
              new Observable<Chunk<K, V>>((s) =>
                o.subscribe({
                  next: (r) => s.next([r]),
                  error: (e) => s.error(e),
                  complete: () => s.complete(),
                }),
              ),
          );
    return KStream.fromChunks(chunks, options);
  }

  /** A stream of record batches (as a log delivers them), with watermarks assigned per `options.watermark`. */
  static fromBatches<K, V>(
    batches: Observable<readonly StreamRecord<K, V>[]>,
    options: SourceOptions = {},
  ): KStream<K, V> {
    return KStream.fromChunks(batches, options);
  }

  /**
   * For source adapters: a stream over ready-made chunks. Watermarks are assigned per `options.watermark`;
   * watermark markers already in the chunks can only raise it.
   */
  static fromChunks<K, V>(chunks: Observable<Chunk<K, V>>, options: SourceOptions = {}): KStream<K, V> {
    const origin: SourceInput = { chunks, options };
    return new KStream<K, V>(
      'source',
      [],
      (ctx) => {
        const { runtime } = sourceWatermarks(origin, ctx);
        return ctx.source(chunks).pipe(withWatermarks<K, V>(options.watermark ?? {}, runtime));
      },
      undefined,
      origin,
    );
  }

  // ----- stateless operators ----------------------------------------------------------------------------

  /** Replaces key and value (and optionally timestamp or headers); origin is kept. */
  map<K2, V2>(f: (record: StreamRecord<K, V>) => KeyValue<K2, V2>): KStream<K2, V2> {
    return this.derive<K2, V2>('map', (next) => (key, value, timestamp, headers, from) => {
      const kv = f(materialize(key, value, timestamp, headers, from));
      next(kv.key, kv.value, kv.timestamp ?? timestamp, kv.headers ?? headers, from);
    });
  }

  /** Replaces the value. */
  mapValues<V2>(f: (value: V, record: StreamRecord<K, V>) => V2): KStream<K, V2> {
    const withRecord = wantsRecord(f);
    return this.derive<K, V2>('mapValues', (next) => (key, value, timestamp, headers, from) => {
      const mapped = withRecord
        ? f(value, materialize(key, value, timestamp, headers, from))
        : f(value, NO_RECORD);
      next(key, mapped, timestamp, headers, from);
    });
  }

  /** Keeps the records whose value satisfies `predicate`. */
  filter<V2 extends V>(predicate: (value: V, record: StreamRecord<K, V>) => value is V2): KStream<K, V2>;
  filter(predicate: (value: V, record: StreamRecord<K, V>) => boolean): KStream<K, V>;
  filter(predicate: (value: V, record: StreamRecord<K, V>) => boolean): KStream<K, V> {
    const withRecord = wantsRecord(predicate);
    return this.derive<K, V>('filter', (next) => (key, value, timestamp, headers, from) => {
      const keep = withRecord
        ? predicate(value, materialize(key, value, timestamp, headers, from))
        : predicate(value, NO_RECORD);
      if (keep) next(key, value, timestamp, headers, from);
    });
  }

  /** Replaces each record by zero or more records. */
  flatMap<K2, V2>(f: (record: StreamRecord<K, V>) => Iterable<KeyValue<K2, V2>>): KStream<K2, V2> {
    return this.derive<K2, V2>('flatMap', (next) => (key, value, timestamp, headers, from) => {
      for (const kv of f(materialize(key, value, timestamp, headers, from))) {
        next(kv.key, kv.value, kv.timestamp ?? timestamp, kv.headers ?? headers, from);
      }
    });
  }

  /** Replaces each value by zero or more values, keeping key and timestamp. */
  flatMapValues<V2>(f: (value: V, record: StreamRecord<K, V>) => Iterable<V2>): KStream<K, V2> {
    return this.derive<K, V2>('flatMapValues', (next) => (key, value, timestamp, headers, from) => {
      for (const mapped of f(value, materialize(key, value, timestamp, headers, from))) {
        next(key, mapped, timestamp, headers, from);
      }
    });
  }

  /** Sets the key, which windowed aggregations group by. */
  selectKey<K2>(f: (value: V, record: StreamRecord<K, V>) => K2): KStream<K2, V> {
    const withRecord = wantsRecord(f);
    return this.derive<K2, V>('selectKey', (next) => (key, value, timestamp, headers, from) => {
      const selected = withRecord
        ? f(value, materialize(key, value, timestamp, headers, from))
        : f(value, NO_RECORD);
      next(selected, value, timestamp, headers, from);
    });
  }

  /** Calls `f` for each record (logging, metrics) and passes it on unchanged. */
  peek(f: (record: StreamRecord<K, V>) => void): KStream<K, V> {
    return this.derive<K, V>('peek', (next) => (key, value, timestamp, headers, from) => {
      f(materialize(key, value, timestamp, headers, from));
      next(key, value, timestamp, headers, from);
    });
  }

  /**
   * Splits the stream: a record goes to the first branch whose predicate it satisfies; the last stream
   * returned holds the records no predicate took. Every branch sees every watermark.
   *
   * @example
   * ```ts
   * import { KStream } from 'tributary';
   * declare const numbers: KStream<string, number>;
   * const [negative, small, rest] = numbers.branch((v) => v < 0, (v) => v < 10);
   * ```
   */
  branch(...predicates: ((value: V, record: StreamRecord<K, V>) => boolean)[]): KStream<K, V>[] {
    const take =
      (index: number) =>
      (value: V, record: StreamRecord<K, V>): boolean => {
        for (let i = 0; i < index; i++) if (predicates[i]!(value, record)) return false;
        return index === predicates.length || predicates[index]!(value, record);
      };
    return Array.from({ length: predicates.length + 1 }, (_, i) => this.filter(take(i)));
  }

  /**
   * Merges streams. The merged watermark is the minimum of the inputs' watermarks.
   */
  merge(...others: KStream<K, V>[]): KStream<K, V> {
    const inputs: KStream<K, V>[] = [this, ...others];
    return new KStream<K, V>(
      'merge',
      inputs as KStream<unknown, unknown>[],
      (ctx) =>
        new Observable<Chunk<K, V>>((subscriber) => {
          const marks = inputs.map(() => -Infinity);
          let emitted = -Infinity;
          let open = inputs.length;
          const subscriptions = inputs.map((input, i) =>
            input.chunks(ctx).subscribe({
              next(chunk) {
                const out: Element<K, V>[] = [];
                for (const e of chunk) {
                  if (!(e instanceof Watermark)) {
                    out.push(e);
                    continue;
                  }
                  marks[i] = e.time;
                  const w = Math.min(...marks);
                  if (w > emitted) {
                    emitted = w;
                    out.push(new Watermark(w));
                  }
                }
                if (out.length > 0) subscriber.next(out);
              },
              error: (err) => subscriber.error(err),
              complete: () => {
                if (--open === 0) subscriber.complete();
              },
            }),
          );
          return () => subscriptions.forEach((s) => s.unsubscribe());
        }),
    );
  }

  /**
   * Applies any RxJS operator to the records. Records it emits synchronously stay in place relative to
   * watermarks; records it emits later (e.g. after `delay`) follow in chunks of their own.
   *
   * @example
   * ```ts
   * import { distinctUntilChanged } from 'rxjs';
   * import { KStream } from 'tributary';
   * declare const prices: KStream<string, number>;
   * const changes = prices.through(distinctUntilChanged((a, b) => a.value === b.value));
   * ```
   */
  through<K2, V2>(operator: OperatorFunction<StreamRecord<K, V>, StreamRecord<K2, V2>>): KStream<K2, V2> {
    return new KStream<K2, V2>(
      'through',
      [this as KStream<unknown, unknown>],
      (ctx) =>
        new Observable<Chunk<K2, V2>>((subscriber) => {
          const input = new Subject<StreamRecord<K, V>>();
          let pending: Element<K2, V2>[] | undefined;
          const output = input.pipe(operator).subscribe({
            next: (r) => (pending ? pending.push(r) : subscriber.next([r])),
            error: (err) => subscriber.error(err),
            complete: () => subscriber.complete(),
          });
          const upstream = this.chunks(ctx).subscribe({
            next(chunk) {
              const out: Element<K2, V2>[] = [];
              pending = out;
              for (const e of chunk) {
                if (e instanceof Watermark) pushWatermark(out, e);
                else input.next(e);
              }
              pending = undefined;
              if (out.length > 0) subscriber.next(out);
            },
            error: (err) => input.error(err),
            complete: () => input.complete(),
          });
          return () => {
            upstream.unsubscribe();
            output.unsubscribe();
          };
        }),
    );
  }

  /** Re-derives watermarks here (for streams built by hand); upstream watermarks can only raise it. */
  withWatermarks(options: WatermarkOptions, partitions?: readonly number[]): KStream<K, V> {
    return new KStream<K, V>('withWatermarks', [this as KStream<unknown, unknown>], (ctx) =>
      this.chunks(ctx).pipe(
        withWatermarks<K, V>(options, {
          scheduler: ctx.scheduler,
          divert: ctx.divert,
          ...(partitions ? { partitions } : {}),
        }),
      ),
    );
  }

  // ----- windows ------------------------------------------------------------------------------------

  /**
   * Groups the stream by key into windows; call `aggregate` on the result.
   *
   * @example
   * ```ts
   * import { aggregators, KStream, tumbling } from 'tributary';
   * declare const trades: KStream<string, { price: number; qty: number }>;
   * const candles = trades.window(tumbling('1m')).aggregate(
   *   aggregators.ohlcv({ price: (t) => t.price, volume: (t) => t.qty }),
   * );
   * ```
   */
  window(spec: WindowSpec): WindowedKStream<K, V> {
    return new WindowedKStream(this, spec);
  }

  // ----- running ----------------------------------------------------------------------------------------

  /** The chunks of this stream in a run; built once per run and shared by every consumer. */
  chunks(ctx: RunContext): Observable<Chunk<K, V>> {
    return ctx.node(this, () => this.build(ctx));
  }

  /**
   * Runs the stream on its own (wall-clock scheduler) and emits its records one by one.
   * Diverted records are dropped here; run through the test driver or a runtime to route them.
   */
  records(): Observable<StreamRecord<K, V>> {
    return new Observable<StreamRecord<K, V>>((subscriber) => {
      const ctx = new RunContext();
      const sub = this.chunks(ctx).subscribe({
        next(chunk) {
          for (const e of chunk) if (!(e instanceof Watermark)) subscriber.next(e);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      ctx.start();
      return sub;
    });
  }

  /** The topology as text, one operator per line, sources first. */
  describe(): string {
    const ids = new Map<KStream<unknown, unknown>, number>();
    const lines: string[] = [];
    const visit = (node: KStream<unknown, unknown>): number => {
      const known = ids.get(node);
      if (known !== undefined) return known;
      const inputs = node.parents.map(visit);
      const id = ids.size + 1;
      ids.set(node, id);
      lines.push(`${id}: ${node.name}${inputs.length > 0 ? ` <- ${inputs.join(', ')}` : ''}`);
      return id;
    };
    visit(this as KStream<unknown, unknown>);
    return lines.join('\n');
  }

  /** @internal A stream derived from this one by a chunk operator. */
  static derived<K, V>(
    name: string,
    parents: readonly KStream<unknown, unknown>[],
    build: Build<K, V>,
  ): KStream<K, V> {
    return new KStream(name, parents, build);
  }

  /**
   * A stateless operator on this stream. When it is built, it chains itself with the stateless operators
   * above it that feed nothing else, so the whole chain runs in one pass over each chunk.
   */
  private derive<K2, V2>(name: string, stage: Stage<K, V, K2, V2>): KStream<K2, V2> {
    return new KStream<K2, V2>(
      name,
      [this as KStream<unknown, unknown>],
      (ctx) => {
        const chain = this.chainedFrom(ctx);
        return chain.chunks.pipe(
          runStages<unknown, unknown, K2, V2>([...chain.names, name].join(' → '), [...chain.stages, stage]),
        );
      },
      stage,
    );
  }

  /**
   * @internal How a consumer of this stream reads it: the chunks of the nearest ancestor that is not
   * chained, and the stateless stages between it and here. A stateless stream with one consumer is chained
   * into that consumer (it is never built on its own); any other stream is read as it is. With
   * `unwatermarked`, a source read by this consumer alone is handed over before its watermarks are
   * assigned, with what the consumer needs to assign them itself.
   */
  chainedFrom(
    ctx: RunContext,
    { unwatermarked = false }: { readonly unwatermarked?: boolean } = {},
  ): ChainedInput {
    const stages: AnyStage[] = [];
    const names: string[] = [];
    let node = this as KStream<unknown, unknown>;
    while (node.stage !== undefined && node.consumers === 1) {
      stages.unshift(node.stage);
      names.unshift(node.name);
      node = node.parents[0]!;
    }
    if (unwatermarked && node.origin !== undefined && node.consumers === 1) {
      const watermarks = sourceWatermarks(node.origin, ctx);
      return { chunks: ctx.source(node.origin.chunks), stages, names, watermarks };
    }
    return { chunks: node.chunks(ctx), stages, names };
  }
}

/** A keyed stream cut into windows, waiting for its aggregation. */
export class WindowedKStream<K, V> {
  constructor(
    private readonly stream: KStream<K, V>,
    private readonly spec: WindowSpec,
  ) {}

  /**
   * Aggregates each key's records per window. Late records (all their windows closed) are diverted with
   * reason `late`, never dropped silently; closed windows release their state.
   */
  aggregate<A, R>(
    aggregator: Aggregator<V, A, R>,
    options?: AggregateOptions<'final'>,
  ): KStream<K, WindowResult<R, 'final'>>;
  aggregate<A, R>(
    aggregator: Aggregator<V, A, R>,
    options: AggregateOptions<'updates'>,
  ): KStream<K, WindowResult<R, 'updates'>>;
  aggregate<A, R>(
    aggregator: Aggregator<V, A, R>,
    options: AggregateOptions<EmitMode> = {},
  ): KStream<K, WindowResult<R>> {
    const mode = options.emit ?? 'final';
    const name = options.name ?? `${this.spec.kind}-window`;
    return KStream.derived<K, WindowResult<R>>(name, [this.stream as KStream<unknown, unknown>], (ctx) => {
      const chain = this.stream.chainedFrom(ctx, { unwatermarked: true });
      return chain.chunks.pipe(
        windowAggregate<K, V, A, R, EmitMode>(this.spec, aggregator, mode, {
          divert: ctx.divert,
          register: (probe) => ctx.register(name, probe),
          name,
          stages: chain.stages,
          stageNames: chain.names,
          partitioned: ctx.partitionedState,
          ...(chain.watermarks ? { watermarks: chain.watermarks } : {}),
        }),
      );
    });
  }
}
