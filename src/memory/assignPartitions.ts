import type { TopicPartition } from '../checkpoint/LogTransport.js';

/** A consumer-group member as the assignor sees it: its id and the topics it subscribes to. */
export interface GroupMember {
  readonly id: string;
  readonly topics: readonly string[];
}

/**
 * Spreads the partitions of the subscribed topics over a group's members with Kafka's `RangeAssignor`:
 * per topic, the members subscribed to it are sorted by id and each takes a contiguous range, the first
 * `partitions % members` taking one extra. The result depends only on the member ids, their topics and the
 * partition counts, so every caller computes the same assignment.
 *
 * Range rather than round-robin because it keeps co-partitioned topics together: with equal partition
 * counts, partition `i` of every topic goes to the same member, which is what joins and a topic read next
 * to its state changelog need.
 *
 * Every member appears in the result (with `[]` when it gets nothing); topics missing from
 * `partitionCounts` do not exist yet and are skipped. Each member's partitions are sorted by topic, then
 * partition.
 *
 * @example
 * ```ts
 * import { assignPartitions } from 'tributary';
 * const assignment = assignPartitions(
 *   [
 *     { id: 'b', topics: ['trades'] },
 *     { id: 'a', topics: ['trades'] },
 *   ],
 *   new Map([['trades', 3]]),
 * );
 * assignment.get('a'); // [{ topic: 'trades', partition: 0 }, { topic: 'trades', partition: 1 }]
 * assignment.get('b'); // [{ topic: 'trades', partition: 2 }]
 * ```
 */
export const assignPartitions = (
  members: readonly GroupMember[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, TopicPartition[]> => {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = new Map<string, TopicPartition[]>(sorted.map((m) => [m.id, []]));
  const topics = [...new Set(sorted.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    const consumers = sorted.filter((m) => m.topics.includes(topic));
    const perMember = Math.floor(count / consumers.length);
    const withExtra = count % consumers.length;
    consumers.forEach((member, i) => {
      const start = perMember * i + Math.min(i, withExtra);
      const length = perMember + (i < withExtra ? 1 : 0);
      const owned = result.get(member.id)!;
      for (let p = start; p < start + length; p++) owned.push({ topic, partition: p });
    });
  }
  return result;
};
