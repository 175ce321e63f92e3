import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { BehaviorSubject, Subject, Subscription, type Observable } from 'rxjs';
import * as t from 'io-ts';
import { json } from '../codecs/json.js';
import type { Serde } from '../codecs/Serde.js';
import { deadLetterHeaders } from '../codecs/deadLetterHeaders.js';
import { Watermark, type Chunk, type Diverted } from '../core/Chunk.js';
import { configError, raise, type TributaryError } from '../core/errors.js';
import { KStream } from '../core/KStream.js';
import { RunContext, type StateProbe } from '../core/RunContext.js';
import type { WatermarkState } from '../core/withWatermarks.js';
import { decodeState, encodeState } from '../state/stateJson.js';
import type { Headers, StreamRecord } from '../core/StreamRecord.js';
import { noopMetrics, type Metrics } from '../metrics/Metrics.js';
import { standardMetrics, type StandardMetrics } from '../metrics/standardMetrics.js';
import type { Sink } from '../sinks/Sink.js';
import { unsafePositiveMillis, type Duration } from '../time/Duration.js';
import type { TimestampExtractor } from '../time/TimestampExtractor.js';
import type { WatermarkOptions } from '../time/WatermarkOptions.js';
import {
  partitionKey,
  type LogBatch,
  type LogConsumer,
  type LogMessage,
  type LogProducer,
  type LogRecord,
  type LogTransport,
  type TopicPartition,
  type TopicPartitionOffset,
  type TransactionalProducer,
} from './LogTransport.js';

/** What the application does with a record that its serde cannot decode. */
export type DecodeErrorPolicy = 'dead-letter' | 'skip' | 'fail';

/** A topic read by an {@link Application}. */
export interface TopicSourceOptions<K, V> {
  readonly topic: string;
  readonly value: Serde<V>;
  /** Without it, records carry the key's bytes as they are (or `null`). */
  readonly key?: Serde<K>;
  /** Event time; default: the log's record timestamp. A failure is a decode failure. */
  readonly timestamp?: TimestampExtractor<V>;
  readonly watermark?: WatermarkOptions;
  /** `dead-letter` (default): the original record goes to `<topic>.dlq` with headers saying why. */
  readonly onDecodeError?: DecodeErrorPolicy;
}

/**
 * What an {@link Application} guarantees about its outputs. Its state is exactly-once either way.
 *
 * - `at-least-once`: after a crash, the records since the last checkpoint are processed again, and their
 *   outputs written again.
 * - `exactly-once`: every checkpoint is one transaction holding the topic outputs, dead letters, changelog
 *   records and consumer offsets of exactly the records it covers; `read_committed` readers of the output
 *   topics see each result once. Needs a transport with transactional offset commits fenced by the group
 *   generation (`platformaticTransport`, `memoryTransport`).
 */
export type ProcessingGuarantee = 'at-least-once' | 'exactly-once';

/** A structured logger; a pino logger fits. */
export interface AppLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of an {@link Application}. */
export interface ApplicationOptions {
  /** Names the consumer group and the application's internal topics. */
  readonly applicationId: string;
  readonly transport: LogTransport;
  /** How often the commit protocol runs. Default `'5s'`. */
  readonly commitInterval?: Duration;
  /** Records a sink may hold unflushed before the sources pause. Default 100 000. */
  readonly maxSinkBacklog?: number;
  /** Structured logs; a pino logger (`createLogger` from `tributary/metrics`) fits. Default: none. */
  readonly logger?: AppLogger;
  /** Where the standard metrics go (`promMetrics()`, `MemoryMetrics`, …). Default: nowhere. */
  readonly metrics?: Metrics;
  /** Stop gracefully (final checkpoint) on SIGINT and SIGTERM. Default `false`. */
  readonly stopOnSignals?: boolean;
  /** Default `'at-least-once'`. */
  readonly processingGuarantee?: ProcessingGuarantee;
}

const SILENT: AppLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Decoded records go down the pipeline this many at a time, not a fetched batch (thousands) at once: they
 * are then garbage before the next young-generation collection, instead of surviving it to be copied.
 */
const CHUNK_RECORDS = 512;

interface SourceState {
  readonly options: TopicSourceOptions<unknown, unknown>;
  readonly chunks: Subject<Chunk<unknown, unknown>>;
  /** The source topic's partitions this member owns. */
  readonly assignment: BehaviorSubject<readonly number[]>;
  readonly deadLetterTopic: string;
}

interface Output {
  readonly stream: KStream<unknown, unknown>;
  readonly sink: Sink<unknown, unknown>;
}

const key = partitionKey;

/**
 * A pipeline running against a log (Kafka or the in-memory log): topics in, sinks out, and the commit
 * protocol in between. Every `commitInterval`, and on shutdown:
 *
 * 1. every sink is flushed (a failed flush aborts the checkpoint: nothing is committed);
 * 2. dead-letter records written for the batches so far have been acknowledged (they are awaited per batch);
 * 3. the consumer offsets of exactly the records processed so far are committed.
 *
 * Outputs are therefore at-least-once: after a crash, the records after the last checkpoint are read
 * again. With `processingGuarantee: 'exactly-once'`, each checkpoint is instead one transaction of the
 * topic outputs, dead letters, changelog and offsets. Run more instances with the same `applicationId`
 * to spread partitions over them.
 *
 * @example
 * ```ts
 * import { Application, aggregators, json, kafkaTransport, tumbling } from 'tributary';
 * import * as t from 'io-ts';
 *
 * const app = new Application({ applicationId: 'clicks', transport: kafkaTransport({ brokers: ['127.0.0.1:19092'] }) });
 * const clicks = app.source({ topic: 'clicks', value: json(t.type({ page: t.string })) });
 * const perPage = clicks.selectKey((c) => c.page).window(tumbling('1m')).aggregate(aggregators.count());
 * app.to(perPage, app.topicSink('clicks-per-minute', { key: json(t.string), value: json(t.unknown) }));
 * await app.start();
 * ```
 */
export class Application {
  private readonly sources = new Map<string, SourceState>();
  private readonly outputs: Output[] = [];
  private readonly topicSinks: TopicSink<unknown, unknown>[] = [];
  /** Output topics to create at start when missing. */
  private readonly createdTopics: { readonly topic: string; readonly partitions: number }[] = [];
  private readonly commitIntervalMs: number;
  private readonly maxSinkBacklog: number;
  private readonly logger: AppLogger;
  private readonly metrics: StandardMetrics;
  private readonly onSignal = (): void => {
    this.logger.info({}, 'stopping on signal');
    this.stop().catch((error: unknown) => this.logger.error({ err: error }, 'stopping failed'));
  };
  private readonly divertedSubject = new Subject<Diverted>();
  /** Every record an operator took off its stream (late, from the future, invalid), as it happens. */
  readonly diverted: Observable<Diverted> = this.divertedSubject.asObservable();

  /** Stateful operators of the running pipeline, each with its changelog topic. */
  private stateful: { readonly store: CheckpointedState; readonly changelog: string }[] = [];
  /** Per source, each partition's last checkpoint (position and event time), with its changelog topic. */
  private checkpointLogs: {
    readonly source: string;
    readonly state: WatermarkState;
    readonly changelog: string;
  }[] = [];
  /** Changelog records of a checkpoint that could not be written yet: written first by the next one. */
  private pendingChangelog: {
    readonly sequence: number;
    readonly topic: string;
    readonly messages: LogMessage[];
  }[] = [];
  /** Numbers the captures, so that a checkpoint writes its own changelog records and earlier ones only. */
  private captures = 0;
  /** Checkpoints run one at a time, in order. */
  private checkpoints: Promise<void> = Promise.resolve();
  private producer: LogProducer | undefined;
  /** Exactly-once: the producer whose transactions are the checkpoints. */
  private transactions: TransactionalProducer | undefined;
  private readonly exactlyOnce: boolean;
  /** Exactly-once: dead letters since the last capture, written in the next checkpoint's transaction. */
  private deadLetters: TopicOutput[] = [];
  /** Exactly-once: counts rewinds; a capture from before the last one belongs to discarded state. */
  private epoch = 0;
  private consumer: LogConsumer | undefined;
  /** Next offset to commit per owned partition: one past the last record processed. */
  private readonly positions = new Map<string, TopicPartitionOffset>();
  private readonly owned = new Map<string, TopicPartition>();
  private paused = false;
  /** Batches and checkpoints run one at a time, in order. */
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The running pipeline's subscriptions. */
  private readonly pipeline = new Subscription();
  private failure: unknown;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(private readonly options: ApplicationOptions) {
    if (!/^[A-Za-z0-9._-]+$/.test(options.applicationId)) {
      raise(
        configError(
          'applicationId',
          `must be letters, digits, '.', '_' or '-', got "${options.applicationId}"`,
        ),
      );
    }
    this.commitIntervalMs = unsafePositiveMillis(options.commitInterval ?? '5s', 'commitInterval');
    this.maxSinkBacklog = options.maxSinkBacklog ?? 100_000;
    if (!(this.maxSinkBacklog > 0)) raise(configError('maxSinkBacklog', 'must be a positive number'));
    const guarantee = options.processingGuarantee ?? 'at-least-once';
    if (guarantee !== 'at-least-once' && guarantee !== 'exactly-once') {
      raise(
        configError(
          'processingGuarantee',
          `must be 'at-least-once' or 'exactly-once', got ${JSON.stringify(guarantee)}`,
        ),
      );
    }
    this.exactlyOnce = guarantee === 'exactly-once';
    this.logger = options.logger ?? SILENT;
    this.metrics = standardMetrics(options.metrics ?? noopMetrics);
  }

  /** A stream of a topic's decoded records; records that fail to decode follow `onDecodeError`. */
  source<K = Uint8Array | null, V = unknown>(options: TopicSourceOptions<K, V>): KStream<K, V> {
    this.assertNew('source');
    if (this.sources.has(options.topic)) {
      raise(configError('source.topic', `"${options.topic}" is already a source of this application`));
    }
    const chunks = new Subject<Chunk<unknown, unknown>>();
    const assignment = new BehaviorSubject<readonly number[]>([]);
    this.sources.set(options.topic, {
      options: options as TopicSourceOptions<unknown, unknown>,
      chunks,
      assignment,
      deadLetterTopic: `${options.topic}.dlq`,
    });
    return KStream.fromChunks(chunks as Subject<Chunk<K, V>>, {
      ...(options.watermark ? { watermark: options.watermark } : {}),
      assignment,
      name: options.topic,
    });
  }

  /** Sends a stream's records to a sink. */
  to<K, V>(stream: KStream<K, V>, sink: Sink<K, V>): void {
    this.assertNew('to');
    this.outputs.push({ stream: stream as KStream<unknown, unknown>, sink: sink as Sink<unknown, unknown> });
  }

  /**
   * A sink appending to a topic through the application's producer, flushed at every checkpoint. Records
   * keep their key (the log partitions by it) and their event time as timestamp. With `create`, `start()`
   * creates the topic when it does not exist (an existing one is left as it is).
   */
  topicSink<K, V>(
    topic: string,
    serdes: {
      readonly key: Serde<K>;
      readonly value: Serde<V>;
      readonly create?: { readonly partitions: number };
    },
  ): Sink<K, V> {
    const partitions = serdes.create?.partitions;
    if (partitions !== undefined && !(Number.isInteger(partitions) && partitions > 0))
      raise(configError('topicSink.create.partitions', `must be a positive integer, got ${partitions}`));
    const sink = new TopicSink<K, V>(topic, serdes, () => this.requireProducer());
    this.topicSinks.push(sink as TopicSink<unknown, unknown>);
    if (partitions !== undefined) this.createdTopics.push({ topic, partitions });
    return sink;
  }

  /** Connects, builds the pipeline and starts consuming. */
  async start(): Promise<void> {
    this.assertNew('start');
    if (this.sources.size === 0) raise(configError('sources', 'an application needs at least one source'));
    const transactional = this.exactlyOnce
      ? (this.options.transport.transactionalProducer?.bind(this.options.transport) ??
        raise(
          configError(
            'processingGuarantee',
            "'exactly-once' needs a transport whose transactions commit offsets fenced by the group generation (platformaticTransport or memoryTransport); this one has none",
          ),
        ))
      : undefined;
    const { transport, applicationId } = this.options;
    for (const topic of this.sources.keys()) {
      const partitions = await transport.partitions(topic).catch(() => 0);
      if (partitions === 0) raise(configError('source.topic', `topic "${topic}" does not exist`));
    }
    // Sinks that can refuse records and have nowhere to put them get a dead-letter topic, as sources do.
    const sinkDeadLetters = new Map<string, Sink<unknown, unknown>>();
    for (const sink of this.externalSinks()) {
      if (!sink.useDeadLetters) continue;
      const topic = `${sink.name.replace(/[^A-Za-z0-9._-]/g, '_')}.dlq`;
      let output = sinkDeadLetters.get(topic);
      if (output === undefined) {
        output = this.topicSink(topic, {
          key: deadLetterKey,
          value: json(t.unknown),
          create: { partitions: 1 },
        });
        sinkDeadLetters.set(topic, output);
      }
      sink.useDeadLetters(output);
    }
    this.state = 'running';
    const deadLetterTopics = [...this.sources.values()].filter(
      (s) => (s.options.onDecodeError ?? 'dead-letter') === 'dead-letter',
    );
    await transport.ensureTopics([
      ...(await Promise.all(
        deadLetterTopics.map(async (s) => ({
          topic: s.deadLetterTopic,
          partitions: await transport.partitions(s.options.topic),
        })),
      )),
      ...this.createdTopics,
    ]);
    if (transactional) {
      this.transactions = await transactional(`${applicationId}-${randomUUID()}`);
    }
    this.producer = await transport.producer();

    const ctx = new RunContext({ partitionedState: true });
    this.pipeline.add(
      ctx.diverted.subscribe((d) => {
        this.metrics.diverted.inc({ operator: d.operator, reason: d.reason });
        if (d.reason === 'late')
          this.metrics.lateRecords.inc({ operator: d.operator, topic: d.record.origin?.topic ?? '' });
        this.divertedSubject.next(d);
      }),
    );
    for (const { stream, sink } of this.outputs) {
      this.pipeline.add(
        stream.chunks(ctx).subscribe({
          next: (chunk) => {
            const records: StreamRecord<unknown, unknown>[] = [];
            for (const e of chunk) if (!(e instanceof Watermark)) records.push(e);
            if (records.length > 0) {
              sink.write(records);
              this.metrics.recordsOut.inc({ operator: sink.name, topic: '' }, records.length);
            }
          },
          error: (error: unknown) => this.fail(error),
        }),
      );
    }
    await this.prepareChangelogs(ctx);
    ctx.start();

    this.consumer = transport.consumer(applicationId, [...this.sources.keys()]);
    await this.consumer.run({
      assigned: (partitions) =>
        this.serially(async () => {
          await this.own(partitions);
          // A client may remember a pause from an earlier ownership of these partitions: they follow the
          // sources' state now.
          if (this.paused) this.requireConsumer().pause(partitions);
          else this.requireConsumer().resume(partitions);
          this.logger.info({ partitions }, 'partitions assigned');
        }),
      revoked: (partitions) =>
        this.serially(async () => {
          const numbers = new Set(partitions.map((tp) => tp.partition));
          for (const { store } of this.stateful) store.drop(numbers);
          // State not yet written for these partitions is their new owner's to rebuild, never ours to write.
          this.pendingChangelog = this.pendingChangelog.map(({ sequence, topic, messages }) => ({
            sequence,
            topic,
            messages: messages.filter((m) => m.partition === undefined || !numbers.has(m.partition)),
          }));
          for (const tp of partitions) {
            this.owned.delete(key(tp));
            this.positions.delete(key(tp));
          }
          this.publishAssignment();
          this.logger.info({ partitions }, 'partitions revoked');
          // Exactly-once: what was processed since the last commit cannot be told apart by partition (the
          // outputs of revoked partitions are mixed in): the partitions kept start again from their
          // last committed checkpoint, so that no transaction commits a revoked partition's outputs.
          if (this.exactlyOnce) await this.rewind('partitions revoked');
        }),
      // Once stopping, batches are left to the partitions' next owner: the final checkpoint covers exactly
      // what was processed before it.
      batch: (batch) =>
        this.serially(async () => (this.state === 'running' ? this.process(batch) : undefined)),
      crashed: (error) => this.fail(error),
    });
    if (this.options.stopOnSignals) {
      process.once('SIGINT', this.onSignal);
      process.once('SIGTERM', this.onSignal);
    }
    this.timer = setInterval(() => {
      void this.checkpoint().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'checkpoint failed; it is retried at the next interval'),
      );
    }, this.commitIntervalMs);
  }

  /**
   * Runs the commit protocol now: flush every sink; write the changed window state and each partition's
   * event time to the changelogs; then commit the offsets of exactly the records that state includes.
   * Rejects, committing nothing, when a step fails; the next checkpoint writes what this one could not.
   */
  checkpoint(): Promise<void> {
    // Capture, between two batches, the positions and the state changes that belong together; the slow
    // part (flush, changelog, commit) then runs beside further batches, so a commit waiting on a
    // rebalance never holds up the batch that lets the rebalance finish.
    const captured = this.serially(async () => this.capture());
    const run = this.checkpoints.then(async () => {
      const { sequence, offsets, outputs, epoch } = await captured;
      const started = Date.now();
      if (this.transactions) {
        await this.commitTransaction(this.transactions, sequence, offsets, outputs, epoch);
        this.metrics.checkpointDuration.observe((Date.now() - started) / 1000);
        if (this.paused) this.resumeSources();
        this.logger.info({ offsets: offsets.length, ms: Date.now() - started }, 'transaction committed');
        return;
      }
      await this.flushSinks();
      const producer = this.requireProducer();
      while (this.pendingChangelog.length > 0 && this.pendingChangelog[0]!.sequence <= sequence) {
        const { topic, messages } = this.pendingChangelog[0]!;
        // A partition revoked since the capture is its new owner's: writing its state now could mix two
        // owners' checkpoints in one changelog partition.
        const owned = new Set([...this.owned.values()].map((tp) => tp.partition));
        await producer.send(
          topic,
          messages.filter((m) => m.partition === undefined || owned.has(m.partition)),
        );
        this.pendingChangelog.shift();
      }
      await this.requireConsumer()
        .commit(offsets.filter((o) => this.owned.has(key(o))))
        .catch((error: unknown) => {
          this.metrics.checkpointFailures.inc({ stage: 'commit' });
          throw error;
        });
      this.metrics.checkpointDuration.observe((Date.now() - started) / 1000);
      if (this.paused) this.resumeSources();
      this.logger.info({ offsets: offsets.length, ms: Date.now() - started }, 'checkpoint committed');
    });
    this.checkpoints = run.catch(() => undefined);
    return run;
  }

  /**
   * Final checkpoint, then leaves the group and closes the connections. Open windows stay open: a restart
   * continues them. Rejects with the pipeline's failure if it failed.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    this.releaseProcess();
    try {
      // A rebalance in progress rejects a commit until this member has rejoined (its consumer runs until
      // the checkpoint is done): the final checkpoint is tried a few times.
      if (this.failure === undefined) {
        await retrying(
          () => this.checkpoint(),
          (error, attempt) => this.logger.warn({ err: error, attempt }, 'final checkpoint failed; retrying'),
          6,
        );
      }
    } finally {
      await this.consumer?.stop();
      // After the last batch: the operators' timers (idleness, idle close) go with their subscriptions.
      this.pipeline.unsubscribe();
      await Promise.all(this.outputs.map(({ sink }) => sink.close?.()));
      await this.producer?.close();
      await this.transactions?.close();
      await this.options.transport.close();
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Resolves once this member has processed every record that its partitions held when called (a replay,
   * a test): each owned partition's position has reached the end offset it had then. Rejects if the
   * pipeline failed.
   */
  async caughtUp(): Promise<void> {
    const { transport } = this.options;
    const ends = (
      await Promise.all([...this.sources.keys()].map((topic) => transport.endOffsets(topic)))
    ).flat();
    const behind = (): boolean =>
      ends.some((end) => {
        if (BigInt(end.offset) === 0n || !this.owned.has(key(end))) return false;
        const position = this.positions.get(key(end));
        return position === undefined || BigInt(position.offset) < BigInt(end.offset);
      });
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.state !== 'running') return;
      // Nothing is caught up before the group has assigned this member its partitions.
      if (this.owned.size > 0 && !behind()) return this.queue;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Stops at once, without a final checkpoint, as a crash would: whoever owns the partitions next resumes
   * from the last checkpoint (its state from the changelogs, its records from the committed offsets).
   */
  async abort(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    this.releaseProcess();
    await this.consumer?.stop();
    this.pipeline.unsubscribe();
    await this.producer?.close();
    await this.transactions?.close();
    await this.options.transport.close();
  }

  /** The failure that stopped the pipeline, if any (a decode failure under `fail`, a throwing operator). */
  get failed(): unknown {
    return this.failure;
  }

  /** Stops the checkpoint timer and the signal handlers. */
  private releaseProcess(): void {
    if (this.timer) clearInterval(this.timer);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  /** Step 1 of the commit protocol: every sink's flush, timed; one failure fails the checkpoint. */
  private async flushSinks(sinks = this.allSinks()): Promise<void> {
    await Promise.all(
      sinks.map(async (sink) => {
        const started = Date.now();
        try {
          await sink.flush();
        } catch (error) {
          this.metrics.checkpointFailures.inc({ stage: 'sink' });
          throw error;
        } finally {
          this.metrics.sinkFlushDuration.observe({ sink: sink.name }, (Date.now() - started) / 1000);
          this.metrics.sinkBuffered.set({ sink: sink.name }, sink.backlog?.() ?? 0);
        }
      }),
    );
  }

  private async process(batch: LogBatch): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const source = this.sources.get(batch.topic);
    if (source === undefined) return;
    let chunk: StreamRecord<unknown, unknown>[] = [];
    const deadLetters: LogMessage[] = [];
    // Records before the position are in the restored state already (a batch fetched before a seek).
    // Offsets ascend within a batch, so only its leading records can be among them.
    const position = this.positions.get(key(batch));
    let start = 0;
    if (position !== undefined) {
      const from = BigInt(position.offset);
      while (start < batch.records.length && BigInt(batch.records[start]!.offset) < from) start++;
    }
    for (let i = start; i < batch.records.length; i++) {
      const r = batch.records[i]!;
      const decoded = decodeRecord(source.options, r);
      if (E.isRight(decoded)) {
        if (chunk.push(decoded.right) === CHUNK_RECORDS) {
          this.push(source, chunk);
          chunk = [];
        }
        continue;
      }
      this.metrics.decodeFailures.inc({ topic: batch.topic });
      const policy = source.options.onDecodeError ?? 'dead-letter';
      if (policy === 'fail') throw decoded.left;
      if (policy === 'dead-letter') {
        deadLetters.push({
          key: r.key,
          value: r.value,
          headers: { ...r.headers, ...deadLetterHeaders(decoded.left) },
          timestamp: r.timestamp,
          partition: r.partition,
        });
      }
    }
    // The dead letters are acknowledged before the batch counts as processed, so their offsets are never
    // committed ahead of them.
    if (deadLetters.length > 0) {
      // Exactly-once: they go out in the transaction of the checkpoint that covers their offsets.
      if (this.exactlyOnce) {
        this.deadLetters.push({ topic: source.deadLetterTopic, messages: deadLetters, source: batch.topic });
      } else await this.requireProducer().send(source.deadLetterTopic, deadLetters);
      this.metrics.deadLettered.inc({ topic: batch.topic, code: 'DECODE_FAILED' }, deadLetters.length);
    }
    this.metrics.recordsIn.inc({ operator: 'source', topic: batch.topic }, batch.records.length);
    if (chunk.length > 0) this.push(source, chunk);
    if (this.failure !== undefined) throw this.failure;
    const last = batch.records[batch.records.length - 1];
    // A batch wholly before the position (fetched again after a rebalance) moves nothing.
    if (last !== undefined && start < batch.records.length) {
      const tp = { topic: batch.topic, partition: batch.partition };
      const next = BigInt(last.offset) + 1n;
      this.positions.set(key(tp), { ...tp, offset: String(next) });
      const lag = BigInt(batch.highWatermark) - next;
      this.metrics.consumerLag.set(
        { topic: batch.topic, partition: String(batch.partition) },
        Number(lag > 0n ? lag : 0n),
      );
    }
    if (!this.paused && this.allSinks().some((s) => (s.backlog?.() ?? 0) > this.maxSinkBacklog))
      this.pauseSources();
  }

  /** Sends decoded records down a source's pipeline; throws the failure they caused, if any. */
  private push(source: SourceState, chunk: readonly StreamRecord<unknown, unknown>[]): void {
    source.chunks.next(chunk);
    if (this.failure !== undefined) throw this.failure;
  }

  /** Finds the pipeline's checkpointed state and creates the compacted changelog topics it needs. */
  private async prepareChangelogs(ctx: RunContext): Promise<void> {
    const { transport, applicationId } = this.options;
    const topic = (name: string) => `${applicationId}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}-changelog`;
    for (const [name, probe] of ctx.stores) {
      if (probe.changes && probe.restore && probe.drop) {
        this.stateful.push({ store: probe as CheckpointedState, changelog: topic(name) });
      }
    }
    for (const [name, state] of ctx.watermarks) {
      this.checkpointLogs.push({ source: name, state, changelog: topic(`${name}-checkpoint`) });
    }
    const counts = await Promise.all([...this.sources.keys()].map((t) => transport.partitions(t)));
    const partitions = Math.max(1, ...counts);
    await transport.ensureTopics(
      [...this.stateful, ...this.checkpointLogs].map((c) => ({
        topic: c.changelog,
        partitions,
        compacted: true,
      })),
    );
  }

  /**
   * Loads the state of newly assigned partitions from the changelogs, before any of their records: for
   * each partition, the last checkpoint that completed (its position record was written last), and for
   * each key the latest state that checkpoint includes. A checkpoint cut short by a crash or a rebalance
   * left later states behind; they are passed over, so state and position always agree.
   */
  private async restore(
    partitions: readonly TopicPartition[],
    { rewind = false }: { readonly rewind?: boolean } = {},
  ): Promise<void> {
    const { transport } = this.options;
    for (const { source, state, changelog } of this.checkpointLogs) {
      const assigned = partitions.filter((tp) => tp.topic === source);
      if (assigned.length === 0) continue;
      const committed = new Map(
        (await this.requireConsumer().committed(source)).map((o) => [o.partition, o.offset]),
      );
      for (const tp of assigned) {
        // One key per changelog partition (the partition itself): its latest checkpoint is the last record.
        const last = (await transport.readPartition(changelog, tp.partition)).at(-1);
        if (!last?.value) {
          // Never checkpointed: a rewind reads it again from where the group stands.
          if (rewind) this.requireConsumer().seek(tp, committed.get(tp.partition) ?? '0');
          continue;
        }
        const { maxTimestamp, offset } = decodeState(last.value) as PartitionCheckpoint;
        const restored: { store: CheckpointedState; key: Uint8Array; state: unknown }[] = [];
        for (const { store, changelog: stateLog } of this.stateful) {
          const kept = new Map<string, { key: Uint8Array; version: KeyVersion }>();
          for (const r of await transport.readPartition(stateLog, tp.partition)) {
            if (r.key === null || r.value === null) continue;
            const version = decodeState(r.value) as KeyVersion;
            if (BigInt(version.at) > BigInt(offset)) continue;
            const id = Buffer.from(r.key).toString('base64');
            kept.delete(id);
            kept.set(id, { key: r.key, version });
          }
          for (const { key: k, version } of kept.values()) {
            if (version.state !== null) restored.push({ store, key: k, state: version.state });
          }
        }
        // All at once, the partition's event time first: its windows close by it while it catches up.
        if (maxTimestamp !== undefined) state.restore([[tp.partition, maxTimestamp]]);
        for (const r of restored) r.store.restore(decodeState(r.key), tp.partition, r.state);
        // Read on from where the state ends, whatever the group committed: a commit can fail after the
        // changelog was written (a rebalance, a crash). Usually they agree, and reading simply goes on.
        if (rewind || committed.get(tp.partition) !== offset) this.requireConsumer().seek(tp, offset);
        this.positions.set(key(tp), { ...tp, offset });
      }
    }
  }

  /**
   * Queues the changelog records of a checkpoint (changed keys, each owned partition's event time) and
   * returns the offsets that state includes.
   */
  private capture(): Captured {
    const sequence = ++this.captures;
    this.snapshotState(sequence);
    const offsets = [...this.positions.values()];
    if (!this.exactlyOnce) return { sequence, offsets, outputs: [], epoch: this.epoch };
    // Exactly-once: the topic outputs of exactly the records processed so far go in its transaction.
    const outputs = [...this.deadLetters, ...this.topicSinks.map((sink) => sink.take())];
    this.deadLetters = [];
    return { sequence, offsets, outputs, epoch: this.epoch };
  }

  /**
   * Exactly-once checkpoint: the other sinks flushed, then one transaction with the captured topic outputs
   * and dead letters, the changelog records up to the capture, and the consumer offsets. When it fails,
   * the state it was to commit is gone with it: the owned partitions are restored from the last committed
   * checkpoint and read again from there.
   */
  private async commitTransaction(
    transactions: TransactionalProducer,
    sequence: number,
    offsets: readonly TopicPartitionOffset[],
    outputs: readonly TopicOutput[],
    epoch: number,
  ): Promise<void> {
    // Rewound since the capture: its outputs belong to discarded state, and are read again.
    if (epoch !== this.epoch) return;
    await this.flushSinks(this.externalSinks());
    const tx = await transactions.begin();
    try {
      for (const { topic, messages } of outputs) if (messages.length > 0) await tx.send(topic, messages);
      const owned = new Set([...this.owned.values()].map((tp) => tp.partition));
      while (this.pendingChangelog.length > 0 && this.pendingChangelog[0]!.sequence <= sequence) {
        const { topic, messages } = this.pendingChangelog.shift()!;
        const mine = messages.filter((m) => m.partition === undefined || owned.has(m.partition));
        if (mine.length > 0) await tx.send(topic, mine);
      }
      await tx.commitOffsets(
        this.requireConsumer(),
        offsets.filter((o) => this.owned.has(key(o))),
      );
      // A rebalance since the capture rewound the partitions: this transaction holds discarded outputs.
      if (epoch !== this.epoch) {
        await tx.abort();
        return;
      }
      await tx.commit();
    } catch (error) {
      this.metrics.checkpointFailures.inc({ stage: 'transaction' });
      await tx.abort().catch(() => undefined);
      await this.serially(() => this.rewind('transaction failed'));
      throw error;
    }
    for (const { source, messages } of outputs) {
      if (source !== undefined)
        this.metrics.deadLettered.inc({ topic: source, code: 'DECODE_FAILED' }, messages.length);
    }
  }

  /**
   * Exactly-once, after a transaction failed: forgets everything since the last committed checkpoint (state,
   * pending outputs, positions) and restores the owned partitions from it, reading on from its offsets.
   */
  private async rewind(why: string): Promise<void> {
    this.epoch++;
    const partitions = [...this.owned.values()];
    const numbers = new Set(partitions.map((tp) => tp.partition));
    for (const { store } of this.stateful) store.drop(numbers);
    this.pendingChangelog = [];
    this.deadLetters = [];
    for (const sink of this.topicSinks) sink.take();
    for (const tp of partitions) this.positions.delete(key(tp));
    // Out of the assignment and back, so each partition's event time is the checkpoint's again.
    this.owned.clear();
    this.publishAssignment();
    await this.own(partitions, { rewind: true });
    this.logger.warn({ partitions }, `${why}: partitions rewound to their last checkpoint`);
  }

  /** Restores the partitions' state (retrying), then owns them: their records are processed from now on. */
  private async own(
    partitions: readonly TopicPartition[],
    options: { readonly rewind?: boolean } = {},
  ): Promise<void> {
    await retrying(
      () => this.restore(partitions, options),
      (error, attempt) =>
        this.logger.warn({ err: error, attempt, partitions }, 'restoring state failed; retrying'),
    );
    for (const tp of partitions) this.owned.set(key(tp), tp);
    this.publishAssignment();
  }

  private snapshotState(sequence: number): void {
    const owned = new Set([...this.owned.values()].map((tp) => tp.partition));
    const isOwned = (p: number) => owned.has(p);
    for (const { store, changelog } of this.stateful) {
      const messages = store.changes(isOwned).map((c): LogMessage => {
        const version: KeyVersion = { at: this.positionOf(c.partition), state: c.state ?? null };
        return { key: encodeState(c.key), value: encodeState(version), partition: c.partition };
      });
      if (messages.length > 0) this.pendingChangelog.push({ sequence, topic: changelog, messages });
    }
    // Written last, after the state it describes: each partition's position and largest event time.
    for (const { source, state, changelog } of this.checkpointLogs) {
      const maxima = new Map(state.maxima());
      const messages: LogMessage[] = [];
      for (const position of this.positions.values()) {
        if (position.topic !== source || !owned.has(position.partition)) continue;
        const checkpoint: PartitionCheckpoint = {
          offset: position.offset,
          ...(maxima.has(position.partition) ? { maxTimestamp: maxima.get(position.partition)! } : {}),
        };
        messages.push({
          key: encodeState(position.partition),
          value: encodeState(checkpoint),
          partition: position.partition,
        });
      }
      if (messages.length > 0) this.pendingChangelog.push({ sequence, topic: changelog, messages });
    }
  }

  /** The position (next offset) of a partition of the stateful source: what a state written now includes. */
  private positionOf(partition: number): string {
    const source = this.checkpointLogs[0]?.source;
    const position = source === undefined ? undefined : this.positions.get(key({ topic: source, partition }));
    return position?.offset ?? '0';
  }

  /** Tells each source which of its partitions this member reads now. */
  private publishAssignment(): void {
    for (const [topic, source] of this.sources) {
      const partitions = [...this.owned.values()]
        .filter((tp) => tp.topic === topic)
        .map((tp) => tp.partition);
      source.assignment.next(partitions.sort((a, b) => a - b));
    }
  }

  private pauseSources(): void {
    this.paused = true;
    this.requireConsumer().pause([...this.owned.values()]);
    this.logger.warn(
      { maxSinkBacklog: this.maxSinkBacklog },
      'sinks are behind: sources paused until the next checkpoint',
    );
  }

  private resumeSources(): void {
    this.paused = false;
    this.requireConsumer().resume([...this.owned.values()]);
  }

  /** The sinks that are not topics of this application's log (exactly-once writes those in transactions). */
  private externalSinks(): Sink<unknown, unknown>[] {
    const topics = new Set<Sink<unknown, unknown>>(this.topicSinks);
    return this.allSinks().filter((s) => !topics.has(s));
  }

  private allSinks(): Sink<unknown, unknown>[] {
    const sinks = new Set<Sink<unknown, unknown>>(this.outputs.map((o) => o.sink));
    for (const s of this.topicSinks) sinks.add(s);
    return [...sinks];
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.logger.error({ err: error }, 'the pipeline failed');
  }

  private requireProducer(): LogProducer {
    if (this.producer === undefined) throw new Error('the application is not started');
    return this.producer;
  }

  private requireConsumer(): LogConsumer {
    if (this.consumer === undefined) throw new Error('the application is not started');
    return this.consumer;
  }

  private assertNew(what: string): void {
    if (this.state !== 'new') raise(configError(what, 'must be called before start()'));
  }
}

/** Runs `work`, retrying with backoff (0.1 s doubling to 5 s) up to `attempts` times in all. */
const retrying = async (
  work: () => Promise<void>,
  onFailure: (error: unknown, attempt: number) => void,
  attempts = 8,
): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
      onFailure(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** (attempt - 1))));
    }
  }
};

/** What a checkpoint records per source partition: where the state's records end, and the event time. */
interface PartitionCheckpoint {
  readonly offset: string;
  readonly maxTimestamp?: number;
}

/**
 * A key's state as a checkpoint wrote it, with the position of its partition then: the state includes
 * exactly the records before `at`. `state` is null once the key holds nothing.
 */
interface KeyVersion {
  readonly at: string;
  readonly state: unknown;
}

/** A stateful operator whose state is checkpointed (see `StateProbe`). */
type CheckpointedState = Required<StateProbe>;

/** Decodes a log record into a stream record, or says why it cannot be. */
const decodeRecord = (
  options: TopicSourceOptions<unknown, unknown>,
  r: LogRecord,
): E.Either<TributaryError, StreamRecord<unknown, unknown>> => {
  const origin = { topic: r.topic, partition: r.partition, offset: r.offset };
  const value = options.value.deserialize(r.value, origin);
  if (E.isLeft(value)) return value;
  let k: unknown = r.key;
  if (options.key) {
    const decodedKey = options.key.deserialize(r.key, origin);
    if (E.isLeft(decodedKey)) return decodedKey;
    k = decodedKey.right;
  }
  const timestamp = options.timestamp ? options.timestamp(value.right, r.timestamp) : E.right(r.timestamp);
  if (E.isLeft(timestamp)) return E.left({ ...timestamp.left, origin });
  return E.right({ key: k, value: value.right, timestamp: timestamp.right, headers: r.headers, origin });
};

/** Records for a topic; dead letters name the source topic they were read from. */
interface TopicOutput {
  readonly topic: string;
  readonly messages: readonly LogMessage[];
  readonly source?: string;
}

/** What a checkpoint captured between two batches. */
interface Captured {
  readonly sequence: number;
  readonly offsets: TopicPartitionOffset[];
  /** Exactly-once: the topic outputs and dead letters of the records up to the offsets. */
  readonly outputs: readonly TopicOutput[];
  readonly epoch: number;
}

/** Keys of a sink's dead letters: bytes as they are (a source's raw key), anything else as JSON. */
const jsonKey = json(t.unknown);
const deadLetterKey: Serde<unknown> = {
  ...jsonKey,
  name: 'dead-letter key',
  serialize: (key) => (key instanceof Uint8Array ? key : jsonKey.serialize(key)),
};

const hasHeaders = (headers: Headers): boolean => {
  for (const _ in headers) return true;
  return false;
};

/** Buffers records and appends them to a topic when flushed, with their headers. */
class TopicSink<K, V> implements Sink<K, V> {
  readonly name: string;
  private buffer: LogMessage[] = [];

  constructor(
    private readonly topic: string,
    private readonly serdes: { readonly key: Serde<K>; readonly value: Serde<V> },
    private readonly producer: () => LogProducer,
  ) {
    this.name = `topic:${topic}`;
  }

  write(records: readonly StreamRecord<K, V>[]): void {
    for (const r of records) {
      this.buffer.push({
        key: this.serdes.key.serialize(r.key),
        value: this.serdes.value.serialize(r.value),
        timestamp: r.timestamp,
        ...(hasHeaders(r.headers) ? { headers: r.headers } : {}),
      });
    }
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const sending = this.buffer;
    this.buffer = [];
    try {
      await this.producer().send(this.topic, sending);
    } catch (error) {
      // Keep them for the next attempt: a failed flush loses nothing.
      this.buffer = sending.concat(this.buffer);
      throw error;
    }
  }

  /** Takes the buffered records, for a transaction to write. */
  take(): TopicOutput {
    const messages = this.buffer;
    this.buffer = [];
    return { topic: this.topic, messages };
  }

  backlog(): number {
    return this.buffer.length;
  }
}
