import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { Publisher, type PublisherOptions } from '../../../../../examples/crypto/produce/Publisher.js';
import { memoryLogger, until } from './binanceStandIn.js';
import { flakyLog } from './flakyLog.js';

/** The publisher over an in-memory log that can be made unreachable, on virtual time. */

const encoder = new TextEncoder();
const message = (value: string) => ({ key: encoder.encode('BTCUSDT'), value: encoder.encode(value) });
const values = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const setUp = (options: Partial<PublisherOptions> = {}) => {
  const log = flakyLog();
  const logger = memoryLogger();
  const publisher = new Publisher({
    transport: log.transport,
    topics: [
      { topic: 'trades', partitions: 1 },
      { topic: 'klines', partitions: 1 },
    ],
    maxBuffered: 1_000,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    random: () => 0.5,
    log: logger.log,
    ...options,
  });
  onTestFinished(() => publisher.close());
  return { publisher, memory: log.log, ...log, ...logger };
};

describe('Publisher', () => {
  it('creates the topics and publishes each topic in the order given', async () => {
    const { publisher, values: read } = setUp();
    publisher.start();
    for (const v of values(0, 3)) publisher.offer('trades', message(v));
    publisher.offer('klines', message('k0'));
    await publisher.flush();
    expect(read('trades')).toEqual(values(0, 3));
    expect(read('klines')).toEqual(['k0']);
    expect(publisher.stats).toEqual({
      published: { trades: 3, klines: 1 },
      dropped: { trades: 0, klines: 0 },
      retries: 0,
      buffered: 0,
    });
  });

  it('flushes once the topics exist, even with nothing to send', async () => {
    const { publisher, state, memory } = setUp();
    state.down = true;
    publisher.start();
    let flushed = false;
    const flushing = publisher.flush().then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(flushed).toBe(false);
    state.down = false;
    await vi.advanceTimersByTimeAsync(8_000);
    await flushing;
    expect(memory.topics().sort()).toEqual(['klines', 'trades']);
  });

  it('keeps trying to reach the log with backoff, holding the messages, then sends them all in order', async () => {
    const { publisher, state, values: read, messages } = setUp();
    state.down = true;
    publisher.start();
    for (const v of values(0, 5)) publisher.offer('trades', message(v));
    const retrying = () => messages('cannot reach the log; trying again');
    await until(() => retrying().length === 1, 'a first failure');
    await vi.advanceTimersByTimeAsync(750);
    await until(() => retrying().length === 2, 'a second failure');
    state.down = false;
    await vi.advanceTimersByTimeAsync(1_500);
    await publisher.flush();
    expect(retrying().map((l) => l['retryInMs'])).toEqual([750, 1_500]);
    expect(retrying()[0]).toMatchObject({
      attempt: 1,
      buffered: 5,
      error: 'connect ECONNREFUSED 127.0.0.1:19092',
    });
    expect(messages('connected to the log')[0]).toMatchObject({ attempts: 3 });
    expect(read('trades')).toEqual(values(0, 5));
    expect(publisher.stats.retries).toBe(2);
  });

  it('sends a failed batch again before anything after it, so that the partition keeps the order', async () => {
    const { publisher, state, values: read, messages } = setUp({ maxBatch: 2 });
    publisher.start();
    for (const v of values(0, 3)) publisher.offer('trades', message(v));
    await publisher.flush();
    state.down = true;
    for (const v of values(3, 8)) publisher.offer('trades', message(v));
    await until(() => messages('send failed; trying again').length === 1, 'a failed send');
    await vi.advanceTimersByTimeAsync(750);
    await until(() => messages('send failed; trying again').length === 2, 'a second failed send');
    state.down = false;
    await vi.advanceTimersByTimeAsync(1_500);
    await publisher.flush();
    expect(read('trades')).toEqual(values(0, 8));
    expect(messages('send succeeded again')[0]).toMatchObject({ topic: 'trades', attempts: 3 });
  });

  it('drops what does not fit while the buffer is full, counts it, and says so loudly', async () => {
    const { publisher, state, values: read, messages, lines } = setUp({ maxBuffered: 3 });
    state.down = true;
    publisher.start();
    const accepted = values(0, 5).map((v) => publisher.offer('trades', message(v)));
    expect(accepted).toEqual([true, true, true, false, false]);
    const dropping = lines.filter((l) => l['level'] === 50);
    expect(dropping).toHaveLength(1);
    expect(dropping[0]!['msg']).toContain('DROPPED');

    await vi.advanceTimersByTimeAsync(10_000);
    publisher.offer('klines', message('k0'));
    expect(messages('the buffer is still full: live messages are being DROPPED')[0]).toMatchObject({
      dropped: 3,
      forMs: 10_000,
    });

    state.down = false;
    await vi.advanceTimersByTimeAsync(8_000);
    await publisher.flush();
    expect(read('trades')).toEqual(values(0, 3));
    expect(publisher.stats.dropped).toEqual({ trades: 2, klines: 1 });
    expect(messages('the buffer has room again; messages were dropped while it was full')[0]).toMatchObject({
      dropped: 3,
      droppedTotal: { trades: 2, klines: 1 },
    });
  });

  it('makes a publisher that may wait (a replay) wait for room, and drops nothing', async () => {
    const { publisher, state, values: read } = setUp({ maxBuffered: 2 });
    state.down = true;
    publisher.start();
    let queued = 0;
    const writer = (async () => {
      for (const v of values(0, 6)) {
        await publisher.publish('trades', message(v));
        queued++;
      }
    })();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(queued).toBe(2);
    state.down = false;
    await vi.advanceTimersByTimeAsync(8_000);
    await writer;
    await publisher.flush();
    expect(read('trades')).toEqual(values(0, 6));
    expect(publisher.stats.dropped).toEqual({ trades: 0, klines: 0 });
  });

  it('counts what the log never acknowledged when it is closed', async () => {
    const { publisher, state } = setUp();
    state.down = true;
    publisher.start();
    publisher.offer('trades', message('m0'));
    publisher.offer('klines', message('k0'));
    await publisher.close();
    expect(publisher.stats).toMatchObject({ buffered: 2, published: { trades: 0, klines: 0 } });
    expect(await publisher.publish('trades', message('m1'))).toBe(false);
  });
});
