import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FetchResult } from '../../../src/memory/FetchResult.js';
import { MemoryLog } from '../../../src/memory/MemoryLog.js';
import { bytes, msg, text, thrownError, view } from './helpers.js';

const logWith = (topics: Record<string, number>, options: { now?: () => number } = {}): MemoryLog => {
  const log = new MemoryLog(options);
  for (const [name, partitions] of Object.entries(topics)) log.createTopic(name, { partitions });
  return log;
};

describe('MemoryLog topics', () => {
  it('creates, lists and deletes topics', () => {
    const log = new MemoryLog();
    expect(log.createTopic('trades', { partitions: 3 })).toEqual(E.right(undefined));
    expect(log.createTopic('candles.1m', { partitions: 1, compacted: true })).toEqual(E.right(undefined));
    expect(log.topics()).toEqual(['candles.1m', 'trades']);
    expect(log.partitions('trades')).toBe(3);
    expect(log.deleteTopic('trades')).toBe(true);
    expect(log.deleteTopic('trades')).toBe(false);
    expect(log.topics()).toEqual(['candles.1m']);
  });

  it.each([0, -1, 1.5, NaN, Infinity, '3'])('rejects %j partitions, naming the field', (partitions) => {
    const log = new MemoryLog();
    const result = log.createTopic('t', { partitions: partitions as number });
    expect(result).toEqual(E.left(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'partitions' })));
    expect(log.topics()).toEqual([]);
  });

  it('rejects a duplicate topic, naming the field, and keeps the original', () => {
    const log = logWith({ trades: 2 });
    log.produce('trades', [msg('kept', null, 1)]);
    const result = log.createTopic('trades', { partitions: 5 });
    expect(result).toEqual(E.left(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'topic' })));
    expect(E.isLeft(result) && result.left.message).toContain("'trades' already exists");
    expect(log.partitions('trades')).toBe(2);
    expect(view(log.fetch('trades', 1, '0').records)).toEqual([{ offset: '0', value: 'kept' }]);
  });

  it.each(['', '.', '..', 'with space', 'slash/topic', 'é', 'x'.repeat(250)])(
    'rejects the topic name %j as Kafka would',
    (name) => {
      expect(new MemoryLog().createTopic(name, { partitions: 1 })).toEqual(
        E.left(expect.objectContaining({ field: 'topic' })),
      );
    },
  );

  it('rejects a non-boolean compacted option', () => {
    const result = new MemoryLog().createTopic('t', {
      partitions: 1,
      compacted: 'yes' as unknown as boolean,
    });
    expect(result).toEqual(E.left(expect.objectContaining({ field: 'compacted' })));
  });

  it('names the topic or partition that does not exist', () => {
    const log = logWith({ trades: 2 });
    expect(thrownError(() => log.partitions('nope'))).toMatchObject({ field: 'topic' });
    expect(thrownError(() => log.produce('nope', [msg('x')]))).toMatchObject({ field: 'topic' });
    expect(thrownError(() => log.fetch('trades', 2, '0'))).toMatchObject({ field: 'partition' });
    expect(thrownError(() => log.fetch('trades', -1, '0'))).toMatchObject({ field: 'partition' });
    expect(thrownError(() => log.endOffset('trades', 0.5))).toMatchObject({ field: 'partition' });
  });
});

describe('MemoryLog produce and fetch', () => {
  it('gives consecutive offsets from 0 per partition, across calls, in order', () => {
    const log = logWith({ t: 2 });
    expect(log.produce('t', [msg('a', null, 0), msg('b', null, 1), msg('c', null, 0)])).toEqual([
      { topic: 't', partition: 0, offset: '0' },
      { topic: 't', partition: 1, offset: '0' },
      { topic: 't', partition: 0, offset: '1' },
    ]);
    expect(log.produce('t', [msg('d', null, 0)])).toEqual([{ topic: 't', partition: 0, offset: '2' }]);
    expect(view(log.fetch('t', 0, '0').records)).toEqual([
      { offset: '0', value: 'a' },
      { offset: '1', value: 'c' },
      { offset: '2', value: 'd' },
    ]);
    expect(view(log.fetch('t', 1, '0').records)).toEqual([{ offset: '0', value: 'b' }]);
    expect(log.endOffset('t', 0)).toBe('3');
    expect(log.beginningOffset('t', 0)).toBe('0');
  });

  it('keeps each key on one partition', () => {
    const log = logWith({ t: 4 });
    const origins = log.produce(
      't',
      ['BTC', 'ETH', 'BTC', 'SOL', 'ETH', 'BTC'].map((k) => msg('v', k)),
    );
    const partitionOf = new Map<string, number>();
    ['BTC', 'ETH', 'BTC', 'SOL', 'ETH', 'BTC'].forEach((k, i) => {
      const p = origins[i]!.partition;
      expect(partitionOf.get(k) ?? p).toBe(p);
      partitionOf.set(k, p);
    });
  });

  it('spreads records without key or partition round-robin, also across calls', () => {
    const log = logWith({ t: 3 });
    const partitions = [
      ...log.produce('t', [msg('a'), msg('b')]),
      ...log.produce('t', [msg('c'), msg('d')]),
    ].map((o) => o.partition);
    expect(partitions).toEqual([0, 1, 2, 0]);
  });

  it('returns the record as produced, with bytes, headers and the injected clock', () => {
    let now = 1_000;
    const log = logWith({ t: 1 }, { now: () => now });
    log.produce('t', [
      { key: bytes('k'), value: bytes('v'), headers: { source: 'binance', raw: bytes('x') } },
    ]);
    now = 2_000;
    log.produce('t', [
      { key: null, value: null, timestamp: 5 },
      { key: null, value: null },
    ]);
    const [first, second, third] = log.fetch('t', 0, '0').records;
    expect(first).toEqual({
      topic: 't',
      partition: 0,
      offset: '0',
      key: bytes('k'),
      value: bytes('v'),
      headers: { source: bytes('binance'), raw: bytes('x') },
      timestamp: 1_000,
    });
    expect(second).toMatchObject({ key: null, value: null, headers: {}, timestamp: 5 });
    expect(third?.timestamp).toBe(2_000);
  });

  it('checks a whole batch before appending any of it', () => {
    const log = logWith({ t: 2 });
    expect(thrownError(() => log.produce('t', [msg('ok', null, 0), msg('bad', null, 2)]))).toMatchObject({
      field: 'partition',
    });
    expect(
      thrownError(() => log.produce('t', [msg('ok', null, 0), { key: null, value: null, timestamp: NaN }])),
    ).toMatchObject({ field: 'timestamp' });
    expect(
      thrownError(() => log.produce('t', [{ key: 'k' as unknown as Uint8Array, value: null }])),
    ).toMatchObject({ field: 'key' });
    expect(log.endOffset('t', 0)).toBe('0');
    expect(log.produce('t', [msg('a'), msg('b')]).map((o) => o.partition)).toEqual([0, 1]);
  });

  it('fetches up to maxRecords and continues from nextOffset until caught up', () => {
    const log = logWith({ t: 1 });
    log.produce(
      't',
      ['a', 'b', 'c', 'd', 'e'].map((v) => msg(v)),
    );
    const seen: string[] = [];
    let batch: FetchResult;
    let from = '0';
    do {
      batch = log.fetch('t', 0, from, 2);
      expect(batch.records.length).toBeLessThanOrEqual(2);
      seen.push(...batch.records.map((r) => text(r.value)!));
      from = batch.nextOffset;
    } while (batch.records.length > 0);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(batch).toMatchObject({ topic: 't', partition: 0, nextOffset: '5', highWatermark: '5' });
  });

  it('rejects offsets outside the partition or not in decimal string form', () => {
    const log = logWith({ t: 1 });
    log.produce('t', [msg('a')]);
    expect(log.fetch('t', 0, '1').records).toEqual([]);
    for (const bad of ['2', '99999999999999999999']) {
      expect(thrownError(() => log.fetch('t', 0, bad)).message).toContain('out of range');
    }
    for (const bad of ['-1', '01', '1.0', '', ' 1', 1 as unknown as string]) {
      expect(thrownError(() => log.fetch('t', 0, bad)).message).toContain('must be an offset');
    }
    for (const bad of ['2', '-1']) {
      expect(thrownError(() => log.fetch('t', 0, bad))).toMatchObject({ field: 'fromOffset' });
    }
    expect(thrownError(() => log.fetch('t', 0, '0', 0))).toMatchObject({ field: 'maxRecords' });
  });

  it('deleteRecords moves the log start offset and frees what lies before', () => {
    const log = logWith({ t: 1 });
    log.produce(
      't',
      ['a', 'b', 'c'].map((v) => msg(v)),
    );
    log.deleteRecords('t', 0, '2');
    expect(log.beginningOffset('t', 0)).toBe('2');
    expect(view(log.fetch('t', 0, '2').records)).toEqual([{ offset: '2', value: 'c' }]);
    expect(thrownError(() => log.fetch('t', 0, '1'))).toMatchObject({ field: 'fromOffset' });
    log.deleteRecords('t', 0, '1'); // below the start: nothing to do
    expect(log.beginningOffset('t', 0)).toBe('2');
    expect(thrownError(() => log.deleteRecords('t', 0, '4'))).toMatchObject({ field: 'beforeOffset' });
    log.deleteRecords('t', 0, '3');
    expect(log.fetch('t', 0, '3')).toMatchObject({ records: [], nextOffset: '3' });
    expect(log.produce('t', [msg('d')])[0]?.offset).toBe('3');
  });
});

describe('MemoryLog compaction', () => {
  const changelog = (): MemoryLog => {
    const log = new MemoryLog();
    log.createTopic('changelog', { partitions: 1, compacted: true });
    return log;
  };

  it('keeps the last record per key, at its original offset', () => {
    const log = changelog();
    log.produce('changelog', [
      msg('a1', 'a'),
      msg('b1', 'b'),
      msg('a2', 'a'),
      msg('c1', 'c'),
      msg('b2', 'b'),
    ]);
    expect(log.compact('changelog')).toBe(2);
    expect(view(log.fetch('changelog', 0, '0').records)).toEqual([
      { offset: '2', value: 'a2' },
      { offset: '3', value: 'c1' },
      { offset: '4', value: 'b2' },
    ]);
    expect(log.endOffset('changelog', 0)).toBe('5');
    expect(log.beginningOffset('changelog', 0)).toBe('0');
    expect(log.compact('changelog')).toBe(0);
  });

  it('removes a key whose last record is a tombstone, and leaves a key written again after it', () => {
    const log = changelog();
    log.produce('changelog', [
      msg('a1', 'a'),
      { key: bytes('a'), value: null },
      msg('b1', 'b'),
      { key: bytes('b'), value: null },
      msg('b2', 'b'),
    ]);
    log.compact('changelog');
    expect(view(log.fetch('changelog', 0, '0').records)).toEqual([{ offset: '4', value: 'b2' }]);
  });

  it('lets a reader continue across the gaps it leaves', () => {
    const log = changelog();
    log.produce('changelog', [msg('a1', 'a'), msg('a2', 'a'), msg('a3', 'a'), msg('b1', 'b')]);
    log.compact('changelog');
    const first = log.fetch('changelog', 0, '0', 1);
    expect(view(first.records)).toEqual([{ offset: '2', value: 'a3' }]);
    expect(first.nextOffset).toBe('3');
    expect(view(log.fetch('changelog', 0, '1').records)).toEqual([
      { offset: '2', value: 'a3' },
      { offset: '3', value: 'b1' },
    ]);
  });

  it('tells keys apart by their bytes', () => {
    const log = changelog();
    log.produce('changelog', [
      { key: new Uint8Array([1, 2]), value: bytes('x') },
      { key: new Uint8Array([1]), value: bytes('y') },
      { key: new Uint8Array([]), value: bytes('z') },
    ]);
    expect(log.compact('changelog')).toBe(0);
  });

  it('refuses records without key on a compacted topic, and compacting a topic that is not compacted', () => {
    const log = changelog();
    expect(thrownError(() => log.produce('changelog', [msg('v')]))).toMatchObject({ field: 'key' });
    log.createTopic('plain', { partitions: 1 });
    expect(thrownError(() => log.compact('plain'))).toMatchObject({ field: 'topic' });
  });
});

describe('MemoryLog committed offsets', () => {
  it('stores the next offset to read per group and partition; the last commit wins', () => {
    const log = logWith({ t: 3 });
    expect(log.committedOffsets('g', 't')).toEqual([]);
    log.commitOffsets('g', [
      { topic: 't', partition: 0, offset: '5' },
      { topic: 't', partition: 2, offset: '1' },
    ]);
    log.commitOffsets('g', [{ topic: 't', partition: 0, offset: '7' }]);
    log.commitOffsets('other', [{ topic: 't', partition: 1, offset: '3' }]);
    expect(log.committedOffsets('g', 't')).toEqual([
      { topic: 't', partition: 0, offset: '7' },
      { topic: 't', partition: 2, offset: '1' },
    ]);
    expect(log.committedOffsets('other', 't')).toEqual([{ topic: 't', partition: 1, offset: '3' }]);
  });

  it('commits all or nothing', () => {
    const log = logWith({ t: 1 });
    const error = thrownError(() =>
      log.commitOffsets('g', [
        { topic: 't', partition: 0, offset: '1' },
        { topic: 't', partition: 1, offset: '1' },
      ]),
    );
    expect(error).toMatchObject({ field: 'partition' });
    for (const offset of ['x', '99999999999999999999']) {
      expect(thrownError(() => log.commitOffsets('g', [{ topic: 't', partition: 0, offset }]))).toMatchObject(
        {
          field: 'offset',
        },
      );
    }
    expect(thrownError(() => log.commitOffsets('', []))).toMatchObject({ field: 'group' });
    expect(log.committedOffsets('g', 't')).toEqual([]);
  });

  it('forgets a deleted topic', () => {
    const log = logWith({ t: 1 });
    log.commitOffsets('g', [{ topic: 't', partition: 0, offset: '1' }]);
    log.deleteTopic('t');
    log.createTopic('t', { partitions: 1 });
    expect(log.committedOffsets('g', 't')).toEqual([]);
  });
});

describe('MemoryLog subscribe', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const collect = (log: MemoryLog, topic: string, partition: number, from = '0') => {
    const batches: string[][] = [];
    const stop = log.subscribe(topic, partition, from, (batch) =>
      batches.push(batch.records.map((r) => `${r.offset}:${text(r.value)}`)),
    );
    return { batches, stop };
  };

  it('delivers the records already there, then new ones, in a microtask', async () => {
    const log = logWith({ t: 2 });
    log.produce('t', [msg('a', null, 0), msg('b', null, 0), msg('other', null, 1)]);
    const { batches } = collect(log, 't', 0, '1');
    expect(batches).toEqual([]);
    await log.settled();
    expect(batches).toEqual([['1:b']]);
    log.produce('t', [msg('c', null, 0)]);
    expect(batches).toEqual([['1:b']]);
    await log.settled();
    expect(batches).toEqual([['1:b'], ['2:c']]);
  });

  it('coalesces the records of many produce calls into one batch of at most 500', async () => {
    const log = logWith({ t: 1 });
    const { batches } = collect(log, 't', 0);
    for (let i = 0; i < 1_200; i++) log.produce('t', [msg(String(i))]);
    await log.settled();
    expect(batches.map((b) => b.length)).toEqual([500, 500, 200]);
    expect(batches.flat()).toEqual(Array.from({ length: 1_200 }, (_, i) => `${i}:${i}`));
  });

  it('stops when unsubscribed, and lets a paused reader resume with fetch', async () => {
    const log = logWith({ t: 1 });
    let next = '0';
    const seen: string[] = [];
    const stop = log.subscribe('t', 0, '0', (batch) => {
      seen.push(...batch.records.map((r) => text(r.value)!));
      next = batch.nextOffset;
    });
    log.produce('t', [msg('a')]);
    await log.settled();
    stop();
    log.produce('t', [msg('b'), msg('c')]);
    await log.settled();
    expect(seen).toEqual(['a']);
    expect(view(log.fetch('t', 0, next).records)).toEqual([
      { offset: '1', value: 'b' },
      { offset: '2', value: 'c' },
    ]);
  });

  it('never runs a subscriber inside produce, and settles cascades', async () => {
    const log = logWith({ in: 1, out: 1 });
    let producing = false;
    log.subscribe('in', 0, '0', (batch) => {
      expect(producing).toBe(false);
      log.produce(
        'out',
        batch.records.map((r) => ({ key: null, value: bytes(`${text(r.value)}!`) })),
      );
    });
    const out = collect(log, 'out', 0);
    producing = true;
    log.produce('in', [msg('x')]);
    producing = false;
    await log.settled();
    expect(out.batches).toEqual([['0:x!']]);
  });

  it('ends the subscriptions of a deleted topic', async () => {
    const log = logWith({ t: 1 });
    const { batches } = collect(log, 't', 0);
    log.deleteTopic('t');
    log.createTopic('t', { partitions: 1 });
    log.produce('t', [msg('new')]);
    await log.settled();
    expect(batches).toEqual([]);
  });

  it('ends a subscription whose callback throws, still serves the others, and rethrows afterwards', async () => {
    const later: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      later.push(callback);
    });
    const log = logWith({ t: 1 });
    let calls = 0;
    log.subscribe('t', 0, '0', () => {
      calls++;
      throw new Error('subscriber bug');
    });
    const healthy = collect(log, 't', 0);
    log.produce('t', [msg('a')]);
    await log.settled();
    log.produce('t', [msg('b')]);
    await log.settled();
    expect(calls).toBe(1);
    expect(healthy.batches).toEqual([['0:a'], ['1:b']]);
    expect(later).toHaveLength(1);
    expect(() => later[0]!()).toThrow('subscriber bug');
  });

  it('rejects a start offset outside the partition', () => {
    const log = logWith({ t: 1 });
    expect(thrownError(() => log.subscribe('t', 0, '1', () => {}))).toMatchObject({ field: 'fromOffset' });
  });
});
