import type { Headers, StreamRecord } from './StreamRecord.js';

/**
 * A record in flight through a chain of stages, as separate fields plus the record the chain started
 * from (for its origin): an operator that changes only the key or the value allocates nothing.
 */
export type Next<K, V> = (
  key: K,
  value: V,
  timestamp: number,
  headers: Headers,
  from: StreamRecord<unknown, unknown>,
) => void;

/**
 * A stateless operator: given where its output goes, the function that takes one input record.
 * Consecutive stages run as one chain (operator chaining): a record goes from `filter` to `selectKey` to a
 * window store by plain function calls, without an intermediate chunk or record per operator.
 */
export type Stage<K, V, K2, V2> = (next: Next<K2, V2>) => Next<K, V>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStage = Stage<any, any, any, any>;

/** Chains `stages` in order in front of `sink`; returns the function that takes the chain's input. */
export const chainStages = <K, V, K2, V2>(stages: readonly AnyStage[], sink: Next<K2, V2>): Next<K, V> =>
  // The stages' types were checked where each operator was declared; the chain only links them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  stages.reduceRight<Next<any, any>>((next, stage) => stage(next), sink);

/** The record that the fields describe: `from` itself when they are unchanged, else a new one. */
export const materialize = <K, V>(
  key: K,
  value: V,
  timestamp: number,
  headers: Headers,
  from: StreamRecord<unknown, unknown>,
): StreamRecord<K, V> => {
  if (key === from.key && value === from.value && timestamp === from.timestamp && headers === from.headers) {
    return from as StreamRecord<K, V>;
  }
  return from.origin === undefined
    ? { key, value, timestamp, headers }
    : { key, value, timestamp, headers, origin: from.origin };
};
