import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryLog } from '../../../src/memory/MemoryLog.js';
import { murmur2 } from '../../../src/memory/murmur2.js';
import { partitionForKey } from '../../../src/memory/partitionForKey.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * Expected hashes from the reference implementations, not from our code:
 * - apache/kafka, clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, `testMurmur2`;
 * - tulios/kafkajs, src/producer/partitioners/defaultJava/murmur2.spec.js (generated with the Java client by
 *   the neighbouring Test.java). KafkaJS's *legacy* `default/murmur2.spec.js` vectors differ on purpose: that
 *   partitioner is not Java-compatible.
 * Together they cover every tail length (0 to 3 bytes after the 4-byte blocks).
 */
const KAFKA_UTILS_TEST: readonly (readonly [string, number])[] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];
const KAFKAJS_JAVA_COMPATIBLE: readonly (readonly [string, number])[] = [
  ['0', 971027396],
  ['1', -1993445489],
  ['128', -326012175],
  ['2187', -1508407203],
  ['16384', -325739742],
  ['78125', -1654490814],
  ['279936', 1462227128],
  ['823543', -2014198330],
  ['2097152', 607668903],
  ['4782969', -1182699775],
  ['10000000', -1830336757],
  ['19487171', -1603849305],
  ['35831808', -857013643],
  ['62748517', -1167431028],
  ['105413504', -381294639],
  ['170859375', -1658323481],
  ['100:48069', 1009543857],
];
const VECTORS = [...KAFKA_UTILS_TEST, ...KAFKAJS_JAVA_COMPATIBLE];

describe('murmur2', () => {
  it.each(VECTORS)('hashes %j as Kafka does (%d)', (key, hash) => {
    expect(murmur2(bytes(key))).toBe(hash);
  });

  it('hashes raw bytes, not text: the byte array [0x31] is the key "1"', () => {
    expect(murmur2(new Uint8Array([0x31]))).toBe(-1993445489);
  });

  it('reads only the view of a subarray', () => {
    const buffer = bytes('xxfoobarxx');
    expect(murmur2(buffer.subarray(2, 8))).toBe(-790332482);
  });

  it('returns a signed 32-bit integer for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const h = murmur2(data);
        expect(h).toBe(h | 0);
      }),
    );
  });
});

describe('partitionForKey', () => {
  // Kafka's default partitioner: Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions.
  const kafkaPartition = (hash: number, partitions: number): number => (hash & 0x7fffffff) % partitions;

  it.each(VECTORS)('puts key %j (hash %d) on the partition Kafka picks', (key, hash) => {
    for (const partitions of [1, 3, 6, 12, 100]) {
      expect(partitionForKey(bytes(key), partitions)).toBe(kafkaPartition(hash, partitions));
    }
  });

  it('spells out a few by hand: foobar → 1357151166 after toPositive', () => {
    expect(partitionForKey(bytes('foobar'), 6)).toBe(1357151166 % 6);
    expect(partitionForKey(bytes('abc'), 6)).toBe(479470107 % 6);
  });

  it('is what MemoryLog.produce uses for keyed records', () => {
    const log = new MemoryLog();
    log.createTopic('keys', { partitions: 6 });
    for (const [key, hash] of VECTORS) {
      const [origin] = log.produce('keys', [{ key: bytes(key), value: null }]);
      expect(origin?.partition).toBe(kafkaPartition(hash, 6));
    }
  });

  it('always lands in range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), (key, partitions) => {
        const p = partitionForKey(key, partitions);
        expect(Number.isInteger(p) && p >= 0 && p < partitions).toBe(true);
      }),
    );
  });
});
