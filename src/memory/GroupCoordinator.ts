import { partitionKey, type TopicPartition } from '../checkpoint/LogTransport.js';
import { assignPartitions } from './assignPartitions.js';
import { rethrowLater } from './rethrowLater.js';

/**
 * What a consumer-group member is told when its partitions change. Both are called synchronously, inside
 * the `join`, `leave`, `createTopic` or `deleteTopic` call that changed the group, with partitions sorted by
 * topic, then partition.
 *
 * In one rebalance every `revoked` runs before any `assigned`: a member that loses a partition stops
 * owning it (and can checkpoint it, e.g. commit its offsets and write its state) before the member that
 * gains it is told, so the new owner restores from what the old one wrote. No partition is ever owned by
 * two members. Calls made from inside a listener (producing, committing, even joining or leaving) are
 * allowed; a membership change made there starts another rebalance once the current one is done.
 *
 * A listener must not throw; if one does, the rebalance still completes and the error is rethrown from a
 * microtask, where it surfaces as an uncaught exception.
 */
export interface GroupListener {
  assigned(partitions: readonly TopicPartition[]): void;
  revoked(partitions: readonly TopicPartition[]): void;
}

interface Member {
  readonly id: string;
  readonly topics: readonly string[];
  readonly listener: GroupListener;
  readonly owned: Map<string, TopicPartition>;
  /** False once the member left; it stays until a rebalance has revoked everything it owned. */
  active: boolean;
}

interface Group {
  readonly members: Set<Member>;
  readonly owners: Map<string, Member>;
  /** Committed positions: topic → partition → next offset to read. */
  readonly offsets: Map<string, Map<number, number>>;
  rebalancing: boolean;
  /** Membership or topics changed during a rebalance: run another when it ends. */
  again: boolean;
}

const NOTHING: ReadonlySet<string> = new Set();

const keyOf = partitionKey;

const byTopicPartition = (a: TopicPartition, b: TopicPartition): number =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;

/**
 * The consumer groups of a memory log: membership, assignment with cooperative rebalancing (members keep
 * what they are not asked to give up), and committed offsets. Internal to the memory log, which validates
 * arguments before they get here.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  /** `partitionCounts` gives the topics that exist now, with their partition counts. */
  constructor(private readonly partitionCounts: () => ReadonlyMap<string, number>) {}

  hasMember(group: string, memberId: string): boolean {
    const members = this.groups.get(group)?.members;
    if (members === undefined) return false;
    for (const m of members) if (m.active && m.id === memberId) return true;
    return false;
  }

  join(group: string, memberId: string, topics: readonly string[], listener: GroupListener): () => void {
    const g = this.group(group);
    const member: Member = { id: memberId, topics: [...topics], listener, owned: new Map(), active: true };
    g.members.add(member);
    this.rebalance(g);
    return () => {
      if (!member.active) return;
      member.active = false;
      this.rebalance(g);
    };
  }

  /** Rebalances every group with a member subscribed to `topic`, after it was created or deleted. */
  topicChanged(topic: string): void {
    for (const g of this.groups.values()) {
      if ([...g.members].some((m) => m.active && m.topics.includes(topic))) this.rebalance(g);
    }
  }

  /** Forgets the committed offsets of a deleted topic. */
  forgetTopic(topic: string): void {
    for (const g of this.groups.values()) g.offsets.delete(topic);
  }

  commit(group: string, offsets: readonly { topic: string; partition: number; offset: number }[]): void {
    const g = this.group(group);
    for (const { topic, partition, offset } of offsets) {
      let byPartition = g.offsets.get(topic);
      if (byPartition === undefined) g.offsets.set(topic, (byPartition = new Map()));
      byPartition.set(partition, offset);
    }
  }

  committed(group: string, topic: string, partition: number): number | undefined {
    return this.groups.get(group)?.offsets.get(topic)?.get(partition);
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = { members: new Set(), owners: new Map(), offsets: new Map(), rebalancing: false, again: false };
      this.groups.set(id, g);
    }
    return g;
  }

  private rebalance(g: Group): void {
    if (g.rebalancing) {
      g.again = true;
      return;
    }
    g.rebalancing = true;
    try {
      do {
        g.again = false;
        this.rebalanceOnce(g);
      } while (g.again);
    } finally {
      g.rebalancing = false;
    }
  }

  private rebalanceOnce(g: Group): void {
    const counts = this.partitionCounts();
    const members = [...g.members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const active = members.filter((m) => m.active);
    const target = assignPartitions(active, counts);
    const wanted = new Map(active.map((m) => [m, new Set(target.get(m.id)!.map(keyOf))]));

    for (const m of members) {
      const keep = wanted.get(m) ?? NOTHING;
      const lost: TopicPartition[] = [];
      for (const [key, tp] of m.owned) {
        if (keep.has(key)) continue;
        m.owned.delete(key);
        g.owners.delete(key);
        lost.push(tp);
      }
      if (lost.length > 0) notify(() => m.listener.revoked(lost.sort(byTopicPartition)));
    }
    for (const m of members) if (!m.active && m.owned.size === 0) g.members.delete(m);
    // A revocation listener changed the membership or the topics: the target is stale, start over.
    if (g.again) return;

    for (const m of active) {
      // An assignment listener above may have made this member leave or deleted a topic: the next round
      // sees to it.
      if (!m.active) continue;
      const current = this.partitionCounts();
      const gained = target.get(m.id)!.filter((tp) => {
        const key = keyOf(tp);
        return !m.owned.has(key) && !g.owners.has(key) && tp.partition < (current.get(tp.topic) ?? 0);
      });
      if (gained.length === 0) continue;
      for (const tp of gained) {
        m.owned.set(keyOf(tp), tp);
        g.owners.set(keyOf(tp), m);
      }
      notify(() => m.listener.assigned(gained));
    }
  }
}

const notify = (call: () => void): void => {
  try {
    call();
  } catch (error) {
    rethrowLater(error);
  }
};
