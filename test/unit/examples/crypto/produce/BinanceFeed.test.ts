import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  BinanceFeed,
  type FeedMessage,
  type FeedOptions,
} from '../../../../../examples/crypto/produce/BinanceFeed.js';
import { BinanceStandIn, memoryLogger, recordedTrades, until } from './binanceStandIn.js';

/**
 * The live feed against a local stand-in for Binance, on virtual time: the feed's timers and `Date` are
 * fake, and the tests move them; sockets are real, and the tests wait for what they deliver.
 */

const HOUR = 3_600_000;
const TRADES = recordedTrades(12);
const tradeId = (m: FeedMessage) => (m.message._tag === 'trade' ? m.message.tradeId : undefined);
const idsOf = (texts: readonly string[]) =>
  texts.map((t) => (JSON.parse(t) as { data: { t: number } }).data.t);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(1_723_161_254_000);
});
afterEach(() => {
  vi.useRealTimers();
});

const standIn = async (options: { autoPong?: boolean } = {}) => {
  const server = await BinanceStandIn.start(options);
  onTestFinished(() => server.close());
  return server;
};

const startFeed = (url: string, settings: Partial<FeedOptions> = {}) => {
  const received: FeedMessage[] = [];
  const logger = memoryLogger();
  const feed = new BinanceFeed({
    url,
    idleTimeoutMs: 30_000,
    rotateAfterMs: 23 * HOUR,
    overlapMs: 5_000,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    random: () => 0.5,
    clock: () => BigInt(Date.now()) * 1_000_000n + 123n,
    onMessage: (m) => received.push(m),
    log: logger.log,
    ...settings,
  });
  feed.start();
  onTestFinished(() => feed.stop());
  return { feed, received, ...logger };
};

describe('BinanceFeed', () => {
  it('delivers each message as received, byte for byte, with its local receive time', async () => {
    const server = await standIn();
    const { received } = startFeed(server.url);
    await server.connection(0);
    server.broadcast(TRADES);
    await until(() => received.length === TRADES.length, 'every trade received');
    expect(received.map((m) => m.data.toString('utf8'))).toEqual(TRADES);
    expect(received.map((m) => m.message._tag)).toEqual(TRADES.map(() => 'trade'));
    expect(received[0]!.receivedAtNs).toBe(1_723_161_254_000_000_000n + 123n);
  });

  it("answers the server's pings with pongs, and keeps a quiet connection that does", async () => {
    const server = await standIn();
    const { feed, messages } = startFeed(server.url);
    const socket = await server.connection(0);
    await until(() => messages('connected').length === 1, 'connected');
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(20_000);
      socket.ping();
      await once(socket, 'pong');
    }
    expect(feed.stats).toMatchObject({ connections: 1, deadConnections: 0, reconnects: 0 });
  });

  it('pings a silent connection after half the idle timeout, drops it at the timeout, and connects again', async () => {
    const server = await standIn({ autoPong: false });
    const { feed, received, messages } = startFeed(server.url);
    const first = await server.connection(0);
    server.broadcast(TRADES.slice(0, 2));
    await until(() => received.length === 2, 'two trades received');

    const pinged = once(first, 'ping');
    await vi.advanceTimersByTimeAsync(15_000);
    await pinged;
    await vi.advanceTimersByTimeAsync(14_999);
    expect(feed.stats.deadConnections).toBe(0);
    const closed = once(first, 'close');
    await vi.advanceTimersByTimeAsync(1);
    expect(feed.stats.deadConnections).toBe(1);
    expect(messages('nothing received: connection dead')[0]).toMatchObject({ silentMs: 30_000 });
    await closed;

    await until(() => messages('reconnecting').length === 1, 'a reconnection scheduled');
    expect(messages('reconnecting')[0]).toMatchObject({ attempt: 1, retryInMs: 750 });
    await vi.advanceTimersByTimeAsync(749);
    expect(feed.stats.connections).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(feed.stats.connections).toBe(2);
    await server.connection(1);
    server.broadcast(TRADES.slice(2, 3));
    await until(() => received.length === 3, 'a trade on the new connection');
    expect(feed.stats.reconnects).toBe(1);
  });

  it('reconnects with exponential backoff and jitter, and starts the backoff over once a connection works', async () => {
    const server = await standIn();
    server.accept = false;
    const { feed, received, messages } = startFeed(server.url);
    const schedule = [750, 1_500, 3_000, 6_000, 6_000];
    for (const [i, delay] of schedule.entries()) {
      await until(() => messages('reconnecting').length === i + 1, `failure ${i + 1}`);
      expect(messages('reconnecting')[i]).toMatchObject({ attempt: i + 1, retryInMs: delay });
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(feed.stats.connections).toBe(i + 1);
      if (i === schedule.length - 1) server.accept = true;
      await vi.advanceTimersByTimeAsync(1);
      expect(feed.stats.connections).toBe(i + 2);
    }
    const socket = await server.connection(0);
    expect(server.attempts).toBe(schedule.length + 1);
    server.broadcast(TRADES.slice(0, 1));
    await until(() => received.length === 1, 'a trade once connected');
    socket.close(1001, 'going away');
    await until(() => messages('reconnecting').length === schedule.length + 1, 'the next reconnection');
    expect(messages('reconnecting').at(-1)).toMatchObject({ attempt: 1, retryInMs: 750 });
    expect(feed.stats.reconnects).toBe(1);
  });

  it('replaces a connection before 24 hours with no gap: both deliver for the overlap, each message passes once', async () => {
    const server = await standIn();
    // An idle timeout longer than the rotation keeps the watchdog out of this test.
    const { feed, received, messages } = startFeed(server.url, { idleTimeoutMs: 25 * HOUR });
    const old = await server.connection(0);
    server.broadcast(TRADES.slice(0, 3));
    await until(() => received.length === 3, 'trades on the first connection');

    await vi.advanceTimersByTimeAsync(23 * HOUR - 1);
    expect(feed.stats.connections).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(feed.stats.connections).toBe(2);
    expect(messages('opening a replacement connection before Binance closes this one')).toHaveLength(1);
    await server.connection(1);

    // Binance sends every event to both connections; each reaches the consumer once.
    const t = 1_723_161_240_000;
    const kline = (E: number, x: boolean) =>
      `{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":${E},"s":"BTCUSDT","k":{"t":${t},"T":${t + 59_999},"s":"BTCUSDT","i":"1m","x":${x}}}}`;
    const overlap = [...TRADES.slice(3, 6), kline(t + 58_000, false), kline(t + 60_000, true)];
    server.broadcast(overlap);
    await until(() => feed.stats.duplicates === overlap.length, 'the duplicates dropped');
    expect(received).toHaveLength(3 + overlap.length);

    const closed = once(old, 'close');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(feed.stats.rotations).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(feed.stats.rotations).toBe(1);
    const [code, reason] = (await closed) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([1000, 'replaced']);

    server.broadcast(TRADES.slice(6, 9));
    await until(() => received.length === 3 + overlap.length + 3, 'trades on the new connection');
    const trades = received.filter((m) => m.message._tag === 'trade');
    expect(trades.map(tradeId)).toEqual(idsOf(TRADES.slice(0, 9)));
    expect(received.filter((m) => m.message._tag === 'kline').map((m) => m.data.toString())).toEqual(
      overlap.slice(3),
    );
    expect(feed.stats).toMatchObject({ connections: 2, rotations: 1, reconnects: 0, missedTrades: 0 });
    expect(messages('reconnecting')).toHaveLength(0);
  });

  it('lets the replacement take over at once when the old connection drops during the overlap', async () => {
    const server = await standIn();
    const { feed, received, messages } = startFeed(server.url, {
      idleTimeoutMs: 25 * HOUR,
      rotateAfterMs: HOUR,
    });
    const old = await server.connection(0);
    await until(() => messages('connected').length === 1, 'connected');
    await vi.advanceTimersByTimeAsync(HOUR);
    await server.connection(1);
    server.broadcast(TRADES.slice(0, 2));
    await until(() => received.length === 2 && feed.stats.duplicates === 2, 'trades on both connections');
    old.terminate();
    await until(() => messages('connection closed').length === 1, 'the old connection lost');
    server.broadcast(TRADES.slice(2, 4));
    await until(() => received.length === 4, 'trades on the replacement');
    expect(received.map(tradeId)).toEqual(idsOf(TRADES.slice(0, 4)));
    expect(messages('reconnecting')).toHaveLength(0);
    expect(messages('the replacement connection takes over')[0]).toMatchObject({
      connection: 2,
      replaced: 1,
    });
    expect(feed.stats.connections).toBe(2);
  });

  it('tries a failed replacement again with backoff while the old connection keeps delivering', async () => {
    const server = await standIn();
    const { feed, received, messages } = startFeed(server.url, {
      idleTimeoutMs: 25 * HOUR,
      rotateAfterMs: HOUR,
    });
    await until(() => messages('connected').length === 1, 'connected');
    server.accept = false;
    await vi.advanceTimersByTimeAsync(HOUR);
    await until(
      () => messages('replacement connection failed; trying again').length === 1,
      'the replacement refused',
    );
    expect(messages('replacement connection failed; trying again')[0]).toMatchObject({ retryInMs: 750 });
    server.broadcast(TRADES.slice(0, 1));
    await until(() => received.length === 1, 'a trade on the old connection');
    server.accept = true;
    await vi.advanceTimersByTimeAsync(750);
    await server.connection(1);
    server.broadcast(TRADES.slice(1, 2));
    await until(() => received.length === 2 && feed.stats.duplicates === 1, 'a trade on both');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(feed.stats).toMatchObject({ connections: 3, rotations: 1, reconnects: 0 });
  });
});
