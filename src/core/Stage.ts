import type { StreamRecord } from './StreamRecord.js';

/**
 * A stateless operator: given where its output records go, the function that takes one input record.
 * Consecutive stages run as one chain (operator chaining): a record goes from `filter` to `selectKey` to a
 * window store by plain function calls, without an intermediate chunk per operator.
 */
export type Stage<K, V, K2, V2> = (
  next: (r: StreamRecord<K2, V2>) => void,
) => (r: StreamRecord<K, V>) => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStage = Stage<any, any, any, any>;

/** Chains `stages` in order in front of `sink`; returns the function that takes the chain's input records. */
export const chainStages = <K, V, K2, V2>(
  stages: readonly AnyStage[],
  sink: (r: StreamRecord<K2, V2>) => void,
): ((r: StreamRecord<K, V>) => void) =>
  // The stages' types were checked where each operator was declared; the chain only links them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  stages.reduceRight<(r: any) => void>((next, stage) => stage(next), sink);
