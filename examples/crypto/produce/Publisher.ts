import type { LogMessage, LogProducer, LogTransport, TopicSpec } from '../../../src/index.js';
import type { Logger } from '../../../src/metrics/index.js';
import { backoffDelay, type BackoffSettings } from './backoff.js';

/** How a {@link Publisher} publishes. */
export interface PublisherOptions {
  /**
   * A new connection to the log. After a failed start (the broker unreachable) the publisher closes it and
   * asks for another, so that no client keeps the failure.
   */
  readonly transport: () => LogTransport;
  /** Topics created when missing, before anything is sent. */
  readonly topics: readonly TopicSpec[];
  /** Messages held at most, all topics together, while the log has not acknowledged them. */
  readonly maxBuffered: number;
  /** Messages per send, at most. Default 500. */
  readonly maxBatch?: number;
  /** Waits between attempts, while the log cannot be reached. */
  readonly backoff: BackoffSettings;
  readonly log: Logger;
  readonly random?: () => number;
  /** How often, at most, a warning says that live messages are being dropped. Default 10 s. */
  readonly dropWarningIntervalMs?: number;
}

/** Counts per topic. */
export type PerTopic = Record<string, number>;

export interface PublisherStats {
  /** Messages the log acknowledged. */
  readonly published: PerTopic;
  /** Messages {@link Publisher.offer} turned away because the buffer was full. */
  readonly dropped: PerTopic;
  /** Sends and starts that failed and were tried again. */
  readonly retries: number;
  /** Messages not acknowledged yet. */
  readonly buffered: number;
}

class Queue {
  private items: LogMessage[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(message: LogMessage): void {
    this.items.push(message);
  }

  peek(n: number): LogMessage[] {
    return this.items.slice(this.head, this.head + n);
  }

  drop(n: number): void {
    this.head += n;
    if (this.head > 1_024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Resolves after `ms`, or at once when `cancel` is called. */
const pause = (ms: number): { done: Promise<void>; cancel: () => void } => {
  let cancel = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    cancel = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, cancel };
};

/**
 * Publishes messages to a log through its {@link LogTransport}, in order per topic, and rides out a log
 * that cannot be reached: topics are created when missing, sends go one at a time per topic (up to
 * `maxBatch` messages each, in the order offered, so that a one-partition topic holds them in exactly
 * that order), and a failed start or send is tried again with exponential backoff and jitter, the messages
 * held meanwhile, `maxBuffered` at most.
 *
 * When the buffer is full, {@link offer} drops the message, counts it and says so in the log (a live feed
 * cannot wait), while {@link publish} waits for room (a replay can: nothing is dropped).
 *
 * @example
 * ```ts
 * const publisher = new Publisher({
 *   transport: () => kafkaTransport({ brokers: ['127.0.0.1:19092'] }),
 *   topics: [{ topic: 'binance-trades', partitions: 4 }],
 *   maxBuffered: 100_000,
 *   backoff: { initialMs: 1_000, maxMs: 30_000 },
 *   log: createLogger(),
 * });
 * publisher.start();
 * await publisher.publish('binance-trades', { key: null, value: new TextEncoder().encode('{}') });
 * await publisher.flush();
 * await publisher.close();
 * ```
 */
export class Publisher {
  private readonly queues = new Map<string, Queue>();
  private readonly published: PerTopic = {};
  private readonly dropped: PerTopic = {};
  private retries = 0;
  private buffered = 0;
  private producer: LogProducer | undefined;
  private transport: LogTransport | undefined;
  private closing = false;
  private readonly senders: Promise<void>[] = [];
  /** Woken when a message is queued, the producer is ready, or the publisher closes. */
  private wakeSenders: (() => void)[] = [];
  /** Woken when messages leave the buffer. */
  private wakeWriters: (() => void)[] = [];
  private readonly pauses = new Set<() => void>();
  private starting: Promise<void> | undefined;
  private markConnected: () => void = () => undefined;
  /** Resolved once connected (topics created, producer open), or closed. */
  private readonly connected = new Promise<void>((resolve) => (this.markConnected = resolve));
  private dropEpisode: { since: number; count: number; warnedAt: number } | undefined;

  constructor(private readonly options: PublisherOptions) {
    for (const { topic } of options.topics) {
      this.queues.set(topic, new Queue());
      this.published[topic] = 0;
      this.dropped[topic] = 0;
    }
  }

  get stats(): PublisherStats {
    return {
      published: { ...this.published },
      dropped: { ...this.dropped },
      retries: this.retries,
      buffered: this.buffered,
    };
  }

  /** Connects (creating the topics), trying again until it succeeds or the publisher closes. */
  start(): void {
    if (this.starting !== undefined) return;
    this.starting = this.connect();
    for (const topic of this.queues.keys()) this.senders.push(this.send(topic));
  }

  /**
   * Queues a message unless the buffer is full; returns whether it was queued. A refused message is
   * counted as dropped, and the log says so: at once, then every `dropWarningIntervalMs` while it lasts,
   * and when there is room again.
   */
  offer(topic: string, message: LogMessage): boolean {
    const queue = this.queueOf(topic);
    if (this.buffered >= this.options.maxBuffered) {
      this.dropped[topic]!++;
      this.noteDrop();
      return false;
    }
    this.enqueue(queue, message);
    return true;
  }

  /**
   * Queues a message, waiting first while the buffer is full: nothing is dropped. Resolves to `false`,
   * without queueing, when the publisher was closed meanwhile.
   */
  async publish(topic: string, message: LogMessage): Promise<boolean> {
    const queue = this.queueOf(topic);
    while (this.buffered >= this.options.maxBuffered && !this.closing) {
      await new Promise<void>((resolve) => this.wakeWriters.push(resolve));
    }
    if (this.closing) return false;
    this.enqueue(queue, message);
    return true;
  }

  /**
   * Resolves once the producer is open and the topics exist, and every message queued so far was
   * acknowledged; or when the publisher closed.
   */
  async flush(): Promise<void> {
    await this.connected;
    while (this.buffered > 0 && !this.closing) {
      await new Promise<void>((resolve) => this.wakeWriters.push(resolve));
    }
  }

  /**
   * Stops sending (a send in flight is awaited) and closes the producer. Messages still buffered are not
   * sent: {@link stats} counts them.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.markConnected();
    for (const cancel of this.pauses) cancel();
    this.wake();
    this.wakeAllWriters();
    await this.starting;
    await Promise.all(this.senders);
    await this.producer?.close().catch(() => undefined);
    await this.transport?.close().catch(() => undefined);
  }

  private queueOf(topic: string): Queue {
    const queue = this.queues.get(topic);
    if (queue === undefined) throw new Error(`not a topic of this publisher: ${topic}`);
    return queue;
  }

  private enqueue(queue: Queue, message: LogMessage): void {
    queue.push(message);
    this.buffered++;
    this.wake();
  }

  private wake(): void {
    const woken = this.wakeSenders;
    this.wakeSenders = [];
    for (const resolve of woken) resolve();
  }

  private sleep(ms: number): Promise<void> {
    const { done, cancel } = pause(ms);
    this.pauses.add(cancel);
    return done.finally(() => this.pauses.delete(cancel));
  }

  private async connect(): Promise<void> {
    const { log, topics, backoff, random } = this.options;
    for (let attempt = 0; !this.closing; attempt++) {
      const transport = this.options.transport();
      try {
        await transport.ensureTopics(topics);
        const producer = await transport.producer();
        if (this.closing) {
          await producer.close().catch(() => undefined);
          throw new Error('closed while connecting');
        }
        this.producer = producer;
        this.transport = transport;
        log.info({ topics: topics.map((t) => t.topic), attempts: attempt + 1 }, 'connected to the log');
        this.markConnected();
        this.wake();
        return;
      } catch (error) {
        await transport.close().catch(() => undefined);
        if (this.closing) return;
        this.retries++;
        const delay = backoffDelay(attempt, backoff, random);
        log.warn(
          {
            attempt: attempt + 1,
            retryInMs: delay,
            buffered: this.buffered,
            error: (error as Error).message,
          },
          'cannot reach the log; trying again',
        );
        await this.sleep(delay);
      }
    }
  }

  /** The sender of one topic: one send at a time, in order, each tried until the log acknowledges it. */
  private async send(topic: string): Promise<void> {
    const { log, backoff, random, maxBatch = 500 } = this.options;
    const queue = this.queueOf(topic);
    let failures = 0;
    while (!this.closing) {
      const producer = this.producer;
      if (producer === undefined || queue.size === 0) {
        await new Promise<void>((resolve) => this.wakeSenders.push(resolve));
        continue;
      }
      const batch = queue.peek(maxBatch);
      try {
        await producer.send(topic, batch);
      } catch (error) {
        if (this.closing) return;
        this.retries++;
        const delay = backoffDelay(failures++, backoff, random);
        log.warn(
          {
            topic,
            attempt: failures,
            retryInMs: delay,
            buffered: this.buffered,
            error: (error as Error).message,
          },
          'send failed; trying again',
        );
        await this.sleep(delay);
        continue;
      }
      if (failures > 0) log.info({ topic, attempts: failures + 1 }, 'send succeeded again');
      failures = 0;
      queue.drop(batch.length);
      this.buffered -= batch.length;
      this.published[topic]! += batch.length;
      this.roomAgain();
    }
  }

  private roomAgain(): void {
    if (this.dropEpisode !== undefined && this.buffered < this.options.maxBuffered) {
      const { count, since } = this.dropEpisode;
      this.dropEpisode = undefined;
      this.options.log.warn(
        { dropped: count, forMs: Date.now() - since, droppedTotal: { ...this.dropped } },
        'the buffer has room again; messages were dropped while it was full',
      );
    }
    this.wakeAllWriters();
  }

  private wakeAllWriters(): void {
    const woken = this.wakeWriters;
    this.wakeWriters = [];
    for (const resolve of woken) resolve();
  }

  private noteDrop(): void {
    const now = Date.now();
    const interval = this.options.dropWarningIntervalMs ?? 10_000;
    const episode = this.dropEpisode;
    if (episode === undefined) {
      this.dropEpisode = { since: now, count: 1, warnedAt: now };
      this.options.log.error(
        { maxBuffered: this.options.maxBuffered },
        'the buffer is full: the log is not taking messages, and live messages are being DROPPED',
      );
      return;
    }
    episode.count++;
    if (now - episode.warnedAt >= interval) {
      episode.warnedAt = now;
      this.options.log.error(
        { dropped: episode.count, forMs: now - episode.since, maxBuffered: this.options.maxBuffered },
        'the buffer is still full: live messages are being DROPPED',
      );
    }
  }
}
