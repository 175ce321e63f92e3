const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * Kafka's 32-bit murmur2 hash of a byte array, as a signed 32-bit integer: exactly
 * `org.apache.kafka.common.utils.Utils.murmur2` (seed `0x9747b28c`, little-endian 4-byte blocks), the hash
 * behind the Java client's default partitioner and KafkaJS's `JavaCompatiblePartitioner`.
 *
 * @example
 * ```ts
 * import { murmur2 } from 'tributary';
 * murmur2(new TextEncoder().encode('foobar')); // -790332482, as in Kafka's UtilsTest
 * ```
 *
 * @see {@link partitionForKey}
 */
export const murmur2 = (data: Uint8Array): number => {
  const length = data.length;
  let h = SEED ^ length;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // Java's switch falls through from the longest tail to the shortest.
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[blocks + 2]! << 16;
    if (tail >= 2) h ^= data[blocks + 1]! << 8;
    h ^= data[blocks]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
};
