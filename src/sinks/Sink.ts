import type { StreamRecord } from '../core/StreamRecord.js';

/**
 * Where a pipeline's output records go. The runtime calls `write` with each chunk's records as the
 * pipeline produces them (synchronously: a sink buffers), and `flush` at every checkpoint: offsets are
 * committed only after every sink's flush resolved, so a sink that rejects aborts the checkpoint and
 * nothing it holds is lost. A sink that cannot keep up reports it through `backlog`, and the runtime
 * pauses its sources until the backlog drains.
 *
 * @example
 * ```ts
 * import type { Sink, StreamRecord } from 'tributary';
 * const collected: StreamRecord<string, number>[] = [];
 * const memory: Sink<string, number> = {
 *   name: 'memory',
 *   write: (records) => void collected.push(...records),
 *   flush: async () => undefined,
 * };
 * ```
 */
export interface Sink<K, V> {
  /** For logs, metrics and errors. */
  readonly name: string;
  /** Takes records; must not throw for a record it cannot write yet (buffer it and fail `flush`). */
  write(records: readonly StreamRecord<K, V>[]): void;
  /** Resolves once everything written so far is durable; rejects to abort the checkpoint. */
  flush(): Promise<void>;
  /** Records accepted but not yet durable; above the runtime's bound, sources pause. */
  backlog?(): number;
  /** Releases connections after a final flush. */
  close?(): Promise<void>;
  /**
   * Offered by a sink that can refuse records for good (InfluxDB refusing a point) and was given no output
   * for them. An `Application` calls it before it starts with a topic sink of its own, `<name>.dlq` (JSON
   * key and value, created when missing), as it gives each source a dead-letter topic: nothing refused is
   * lost. A sink given an output of its own does not offer it.
   */
  useDeadLetters?(output: Sink<K, unknown>): void;
}
