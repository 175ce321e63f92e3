import { murmur2 } from './murmur2.js';

/**
 * The partition Kafka's default partitioner picks for a non-null key:
 * `toPositive(murmur2(key)) % partitions`, where `toPositive` clears the sign bit (not `Math.abs`, which
 * would map `-2^31` out of range). A keyed record therefore lands on the same partition number in the
 * memory log as on a broker fed by the Java client or KafkaJS's `JavaCompatiblePartitioner`.
 *
 * @example
 * ```ts
 * import { partitionForKey } from 'tributary';
 * partitionForKey(new TextEncoder().encode('BTCUSDT'), 6); // always the same partition in [0, 6)
 * ```
 *
 * @see {@link murmur2}
 */
export const partitionForKey = (key: Uint8Array, partitions: number): number =>
  (murmur2(key) & 0x7fffffff) % partitions;
