import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignPartitions } from '../../../src/memory/assignPartitions.js';

const ranges = (assignment: Map<string, { topic: string; partition: number }[]>) =>
  Object.fromEntries(
    [...assignment].map(([id, tps]) => [id, tps.map((tp) => `${tp.topic}-${tp.partition}`).join(',')]),
  );

describe('assignPartitions (range)', () => {
  it('gives each member a contiguous range per topic, extras to the first members by id', () => {
    const assignment = assignPartitions(
      [
        { id: 'c', topics: ['t'] },
        { id: 'a', topics: ['t'] },
        { id: 'b', topics: ['t'] },
      ],
      new Map([['t', 7]]),
    );
    expect(ranges(assignment)).toEqual({ a: 't-0,t-1,t-2', b: 't-3,t-4', c: 't-5,t-6' });
  });

  it('keeps co-partitioned topics together', () => {
    const assignment = assignPartitions(
      [
        { id: 'x', topics: ['trades', 'changelog'] },
        { id: 'y', topics: ['trades', 'changelog'] },
      ],
      new Map([
        ['trades', 4],
        ['changelog', 4],
      ]),
    );
    expect(ranges(assignment)).toEqual({
      x: 'changelog-0,changelog-1,trades-0,trades-1',
      y: 'changelog-2,changelog-3,trades-2,trades-3',
    });
  });

  it('assigns a topic only among its subscribers, and skips topics that do not exist', () => {
    const assignment = assignPartitions(
      [
        { id: 'a', topics: ['t', 'missing'] },
        { id: 'b', topics: ['u'] },
      ],
      new Map([
        ['t', 2],
        ['u', 1],
      ]),
    );
    expect(ranges(assignment)).toEqual({ a: 't-0,t-1', b: 'u-0' });
  });

  it('lists members that get nothing', () => {
    const assignment = assignPartitions(
      [
        { id: 'a', topics: ['t'] },
        { id: 'b', topics: ['t'] },
      ],
      new Map([['t', 1]]),
    );
    expect(ranges(assignment)).toEqual({ a: 't-0', b: '' });
  });

  it('assigns every partition exactly once, evenly, whatever the member order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 20 }),
        (ids, partitions) => {
          const members = ids.map((id) => ({ id, topics: ['t'] }));
          const assignment = assignPartitions(members, new Map([['t', partitions]]));
          const all = [...assignment.values()].flat().map((tp) => tp.partition);
          expect(all.sort((a, b) => a - b)).toEqual([...Array(partitions).keys()]);
          const sizes = [...assignment.values()].map((tps) => tps.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          expect(ranges(assignPartitions([...members].reverse(), new Map([['t', partitions]])))).toEqual(
            ranges(assignment),
          );
        },
      ),
    );
  });
});
