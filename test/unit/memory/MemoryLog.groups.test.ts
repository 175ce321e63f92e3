import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TopicPartition } from '../../../src/checkpoint/LogTransport.js';
import { assignPartitions } from '../../../src/memory/assignPartitions.js';
import type { GroupListener } from '../../../src/memory/GroupCoordinator.js';
import { MemoryLog } from '../../../src/memory/MemoryLog.js';
import { msg, text, thrownError } from './helpers.js';

const name = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/**
 * Group members that keep one shared ownership table and check, at every callback, that no partition is
 * ever owned by two members and that a member only loses what it owns.
 */
class Ownership {
  readonly owner = new Map<string, string>();
  /** `revoked a t-3,t-4` / `assigned b t-3,t-4`, in call order. */
  readonly events: string[] = [];

  listener(member: string, extra: Partial<GroupListener> = {}): GroupListener {
    return {
      assigned: (partitions) => {
        for (const tp of partitions) {
          expect(this.owner.get(name(tp)), `${name(tp)} given to ${member} while owned`).toBeUndefined();
          this.owner.set(name(tp), member);
        }
        this.events.push(`assigned ${member} ${partitions.map(name).join(',')}`);
        extra.assigned?.(partitions);
      },
      revoked: (partitions) => {
        for (const tp of partitions) {
          expect(this.owner.get(name(tp)), `${name(tp)} revoked from ${member}`).toBe(member);
          this.owner.delete(name(tp));
        }
        this.events.push(`revoked ${member} ${partitions.map(name).join(',')}`);
        extra.revoked?.(partitions);
      },
    };
  }

  /** The events since the last call. */
  take(): string[] {
    return this.events.splice(0);
  }

  ownedBy(member: string): string[] {
    return [...this.owner].filter(([, m]) => m === member).map(([p]) => p);
  }
}

const revocationsFirst = (events: readonly string[]): boolean => {
  const firstAssigned = events.findIndex((e) => e.startsWith('assigned'));
  return firstAssigned === -1 || !events.slice(firstAssigned).some((e) => e.startsWith('revoked'));
};

describe('MemoryLog consumer groups', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('rebalances 1 → 2 → 1 members over 6 partitions: revocations first, every partition owned', () => {
    const log = new MemoryLog();
    log.createTopic('trades', { partitions: 6 });
    const o = new Ownership();
    const all = 'trades-0,trades-1,trades-2,trades-3,trades-4,trades-5';

    const leaveA = log.join('app', 'a', ['trades'], o.listener('a'));
    expect(o.take()).toEqual([`assigned a ${all}`]);

    const leaveB = log.join('app', 'b', ['trades'], o.listener('b'));
    expect(o.take()).toEqual([
      'revoked a trades-3,trades-4,trades-5',
      'assigned b trades-3,trades-4,trades-5',
    ]);
    expect(o.ownedBy('a')).toEqual(['trades-0', 'trades-1', 'trades-2']);
    expect(o.owner.size).toBe(6);

    leaveB();
    expect(o.take()).toEqual([
      'revoked b trades-3,trades-4,trades-5',
      'assigned a trades-3,trades-4,trades-5',
    ]);
    expect(o.owner.size).toBe(6);
    leaveB();
    expect(o.take()).toEqual([]);

    leaveA();
    expect(o.take()).toEqual([`revoked a ${all}`]);
    expect(o.owner.size).toBe(0);
  });

  it('lets the old owner checkpoint on revocation before the new owner restores', () => {
    const log = new MemoryLog();
    log.createTopic('trades', { partitions: 2 });
    log.createTopic('app-state-changelog', { partitions: 2, compacted: true });
    const restored: string[] = [];
    log.join('app', 'a', ['trades'], {
      assigned: () => {},
      revoked: (partitions) => {
        for (const { partition } of partitions) {
          log.produce('app-state-changelog', [msg(`state of ${partition}`, `k${partition}`, partition)]);
        }
        log.commitOffsets(
          'app',
          partitions.map((tp) => ({ ...tp, offset: '42' })),
        );
      },
    });
    log.join('app', 'b', ['trades'], {
      assigned: (partitions) => {
        for (const { partition } of partitions) {
          const committed = log.committedOffsets('app', 'trades').find((c) => c.partition === partition);
          const state = log.fetch('app-state-changelog', partition, '0').records.map((r) => text(r.value));
          restored.push(`${partition}@${committed?.offset}: ${state.join()}`);
        }
      },
      revoked: () => {},
    });
    expect(restored).toEqual(['1@42: state of 1']);
  });

  it('assigns a topic once it exists, and revokes it when deleted', () => {
    const log = new MemoryLog();
    const o = new Ownership();
    log.join('app', 'a', ['later'], o.listener('a'));
    expect(o.take()).toEqual([]);
    log.createTopic('later', { partitions: 2 });
    expect(o.take()).toEqual(['assigned a later-0,later-1']);
    log.createTopic('unrelated', { partitions: 2 });
    expect(o.take()).toEqual([]);
    log.deleteTopic('later');
    expect(o.take()).toEqual(['revoked a later-0,later-1']);
  });

  it('keeps groups apart and gives a topic only to its subscribers', () => {
    const log = new MemoryLog();
    log.createTopic('t', { partitions: 2 });
    log.createTopic('u', { partitions: 1 });
    const o = new Ownership();
    log.join('g1', 'a', ['t'], o.listener('a'));
    log.join('g1', 'b', ['t', 'u'], o.listener('b'));
    const p = new Ownership();
    log.join('g2', 'a', ['t'], p.listener('a'));
    expect(o.take()).toEqual(['assigned a t-0,t-1', 'revoked a t-1', 'assigned b t-1,u-0']);
    expect(p.take()).toEqual(['assigned a t-0,t-1']);
  });

  it('refuses a member id already in the group, and accepts it again after it left', () => {
    const log = new MemoryLog();
    log.createTopic('t', { partitions: 1 });
    const o = new Ownership();
    const leave = log.join('app', 'a', ['t'], o.listener('a'));
    expect(thrownError(() => log.join('app', 'a', ['t'], o.listener('a')))).toMatchObject({
      field: 'memberId',
    });
    expect(thrownError(() => log.join('', 'x', ['t'], o.listener('x')))).toMatchObject({ field: 'group' });
    leave();
    log.join('app', 'a', ['t'], o.listener('a'));
    expect(o.take()).toEqual(['assigned a t-0', 'revoked a t-0', 'assigned a t-0']);
  });

  it('handles joins and leaves made from inside listeners, one rebalance after another', () => {
    const log = new MemoryLog();
    log.createTopic('t', { partitions: 4 });
    const o = new Ownership();
    let leaveC: () => void = () => {};
    log.join(
      'app',
      'a',
      ['t'],
      o.listener('a', {
        revoked: () => {
          // While a is giving partitions to b, c joins; then c leaves as soon as it gets something.
          leaveC = log.join('app', 'c', ['t'], o.listener('c', { assigned: () => leaveC() }));
        },
      }),
    );
    o.take();
    log.join('app', 'b', ['t'], o.listener('b'));
    expect(o.take()).toEqual([
      'revoked a t-2,t-3',
      // c joined during that revocation: the round starts over with a, b and c.
      'assigned b t-2',
      'assigned c t-3',
      // c left during its assignment: another round.
      'revoked c t-3',
      'assigned b t-3',
    ]);
    expect(Object.fromEntries(['a', 'b', 'c'].map((m) => [m, o.ownedBy(m)]))).toEqual({
      a: ['t-0', 't-1'],
      b: ['t-2', 't-3'],
      c: [],
    });
  });

  it('completes a rebalance when a listener throws, and rethrows the error afterwards', () => {
    const later: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      later.push(callback);
    });
    const log = new MemoryLog();
    log.createTopic('t', { partitions: 2 });
    const o = new Ownership();
    log.join(
      'app',
      'a',
      ['t'],
      o.listener('a', {
        revoked: () => {
          throw new Error('boom');
        },
      }),
    );
    log.join('app', 'b', ['t'], o.listener('b'));
    expect(o.ownedBy('b')).toEqual(['t-1']);
    expect(later).toHaveLength(1);
    expect(() => later[0]!()).toThrow('boom');
  });

  it('matches the range assignment after any sequence of joins and leaves, never sharing a partition', () => {
    const ids = ['a', 'b', 'c', 'd'] as const;
    const op = fc.record({
      id: fc.constantFrom(...ids),
      topics: fc.subarray(['t', 'u'], { minLength: 1 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(op, { maxLength: 12 }),
        (tPartitions, uPartitions, ops) => {
          const log = new MemoryLog();
          log.createTopic('t', { partitions: tPartitions });
          log.createTopic('u', { partitions: uPartitions });
          const o = new Ownership();
          const members = new Map<string, { leave: () => void; topics: string[] }>();
          for (const { id, topics } of ops) {
            const member = members.get(id);
            if (member === undefined) {
              members.set(id, { leave: log.join('app', id, topics, o.listener(id)), topics });
            } else {
              member.leave();
              members.delete(id);
            }
            expect(revocationsFirst(o.take())).toBe(true);
            const expected = assignPartitions(
              [...members].map(([memberId, m]) => ({ id: memberId, topics: m.topics })),
              new Map([
                ['t', tPartitions],
                ['u', uPartitions],
              ]),
            );
            for (const memberId of ids) {
              expect(o.ownedBy(memberId).sort()).toEqual((expected.get(memberId) ?? []).map(name).sort());
            }
          }
        },
      ),
    );
  });
});
