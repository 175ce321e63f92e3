import { describe, expect, it } from 'vitest';
import { MemoryLog } from '../../../src/memory/MemoryLog.js';
import { bytes, msg, text, thrownError, view } from './helpers.js';

const setup = (): MemoryLog => {
  const log = new MemoryLog();
  log.createTopic('in', { partitions: 1 });
  log.createTopic('out', { partitions: 2 });
  return log;
};

const values = (log: MemoryLog, topic: string, partition: number, isolation?: 'read_uncommitted') =>
  log.fetch(topic, partition, '0', 500, isolation).records.map((r) => text(r.value));

describe('MemoryLog transactions', () => {
  it('makes records and offsets visible together on commit', () => {
    const log = setup();
    const tx = log.transaction();
    expect(tx.produce('out', [msg('a', null, 0), msg('b', null, 1), msg('c', null, 0)])).toEqual([
      { topic: 'out', partition: 0, offset: '0' },
      { topic: 'out', partition: 1, offset: '0' },
      { topic: 'out', partition: 0, offset: '1' },
    ]);
    tx.commitOffsets('app', [{ topic: 'in', partition: 0, offset: '7' }]);

    expect(values(log, 'out', 0)).toEqual([]);
    expect(log.endOffset('out', 0)).toBe('0');
    expect(log.committedOffsets('app', 'in')).toEqual([]);
    expect(tx.state).toBe('open');

    tx.commit();
    expect(tx.state).toBe('committed');
    expect(values(log, 'out', 0)).toEqual(['a', 'c']);
    expect(values(log, 'out', 1)).toEqual(['b']);
    expect(log.committedOffsets('app', 'in')).toEqual([{ topic: 'in', partition: 0, offset: '7' }]);
  });

  it('never shows the records or offsets of an aborted transaction to read_committed readers', () => {
    const log = setup();
    log.commitOffsets('app', [{ topic: 'in', partition: 0, offset: '3' }]);
    const tx = log.transaction();
    tx.produce('out', [msg('ghost', null, 0)]);
    tx.commitOffsets('app', [{ topic: 'in', partition: 0, offset: '9' }]);
    tx.abort();
    expect(tx.state).toBe('aborted');
    log.produce('out', [msg('after', null, 0)]);
    expect(values(log, 'out', 0)).toEqual(['after']);
    expect(values(log, 'out', 0, 'read_uncommitted')).toEqual(['ghost', 'after']);
    expect(log.committedOffsets('app', 'in')).toEqual([{ topic: 'in', partition: 0, offset: '3' }]);
  });

  it('shows open transactions to read_uncommitted readers only', () => {
    const log = setup();
    const tx = log.transaction();
    tx.produce('out', [msg('pending', null, 0)]);
    expect(values(log, 'out', 0)).toEqual([]);
    expect(values(log, 'out', 0, 'read_uncommitted')).toEqual(['pending']);
    expect(log.endOffset('out', 0, 'read_uncommitted')).toBe('1');
    tx.abort();
  });

  it('holds read_committed readers at the first offset of an open transaction (the last stable offset)', () => {
    const log = setup();
    log.produce('out', [msg('before', null, 0)]);
    const tx = log.transaction();
    tx.produce('out', [msg('tx', null, 0)]);
    log.produce('out', [msg('plain', null, 0)]);
    expect(values(log, 'out', 0)).toEqual(['before']);
    expect(log.endOffset('out', 0)).toBe('1');
    expect(log.fetch('out', 0, '1').records).toEqual([]);
    tx.commit();
    expect(values(log, 'out', 0)).toEqual(['before', 'tx', 'plain']);
  });

  it('writes a marker that takes an offset and that no reader sees, as Kafka does', () => {
    const log = setup();
    const tx = log.transaction();
    tx.produce('out', [msg('a', null, 0), msg('b', null, 0)]);
    tx.commit();
    expect(log.endOffset('out', 0)).toBe('3');
    const batch = log.fetch('out', 0, '0');
    expect(view(batch.records)).toEqual([
      { offset: '0', value: 'a' },
      { offset: '1', value: 'b' },
    ]);
    expect(batch.nextOffset).toBe('3');
    expect(log.fetch('out', 0, '2', 500, 'read_uncommitted').records).toEqual([]);
    expect(log.produce('out', [msg('c', null, 0)])[0]?.offset).toBe('3');
    // Partition 1 was not written: no marker there.
    expect(log.endOffset('out', 1)).toBe('0');
  });

  it('keeps interleaved transactions apart', () => {
    const log = setup();
    const t1 = log.transaction();
    const t2 = log.transaction();
    t1.produce('out', [msg('t1-a', null, 0)]);
    t2.produce('out', [msg('t2-a', null, 0)]);
    t1.produce('out', [msg('t1-b', null, 0)]);
    t2.commit();
    // t1 is still open and began first: nothing is stable yet.
    expect(values(log, 'out', 0)).toEqual([]);
    t1.abort();
    expect(values(log, 'out', 0)).toEqual(['t2-a']);
  });

  it('refuses any call once it is committed or aborted', () => {
    const log = setup();
    const committed = log.transaction();
    committed.commit();
    const aborted = log.transaction();
    aborted.abort();
    for (const tx of [committed, aborted]) {
      expect(thrownError(() => tx.produce('out', [msg('late')]))).toMatchObject({ field: 'transaction' });
      expect(thrownError(() => tx.commitOffsets('app', []))).toMatchObject({ field: 'transaction' });
      expect(thrownError(() => tx.commit())).toMatchObject({ field: 'transaction' });
      expect(thrownError(() => tx.abort())).toMatchObject({ field: 'transaction' });
    }
    expect(log.endOffset('out', 0, 'read_uncommitted')).toBe('0');
  });

  it('delivers to a read_committed subscriber on commit, and to a read_uncommitted one at once', async () => {
    const log = setup();
    const committed: string[] = [];
    const uncommitted: string[] = [];
    log.subscribe('out', 0, '0', (b) => committed.push(...b.records.map((r) => text(r.value)!)));
    log.subscribe(
      'out',
      0,
      '0',
      (b) => uncommitted.push(...b.records.map((r) => text(r.value)!)),
      'read_uncommitted',
    );
    const tx = log.transaction();
    tx.produce('out', [msg('a', null, 0)]);
    await log.settled();
    expect(committed).toEqual([]);
    expect(uncommitted).toEqual(['a']);
    tx.commit();
    await log.settled();
    expect(committed).toEqual(['a']);
    const aborted = log.transaction();
    aborted.produce('out', [msg('b', null, 0)]);
    aborted.abort();
    log.produce('out', [msg('c', null, 0)]);
    await log.settled();
    expect(committed).toEqual(['a', 'c']);
    expect(uncommitted).toEqual(['a', 'b', 'c']);
  });

  it('leaves nothing of an aborted transaction after compaction', () => {
    const log = new MemoryLog();
    log.createTopic('changelog', { partitions: 1, compacted: true });
    log.produce('changelog', [msg('v1', 'k')]);
    const tx = log.transaction();
    tx.produce('changelog', [msg('v2', 'k')]);
    tx.abort();
    expect(log.compact('changelog')).toBe(2);
    expect(view(log.fetch('changelog', 0, '0', 500, 'read_uncommitted').records)).toEqual([
      { offset: '0', value: 'v1' },
    ]);
  });

  it('does not compact past an open transaction', () => {
    const log = new MemoryLog();
    log.createTopic('changelog', { partitions: 1, compacted: true });
    log.produce('changelog', [msg('v1', 'k')]);
    const tx = log.transaction();
    tx.produce('changelog', [msg('v2', 'k')]);
    log.produce('changelog', [{ key: bytes('k'), value: bytes('v3') }]);
    expect(log.compact('changelog')).toBe(0);
    tx.commit();
    expect(log.compact('changelog')).toBe(3);
    expect(view(log.fetch('changelog', 0, '0').records)).toEqual([{ offset: '2', value: 'v3' }]);
  });
});
