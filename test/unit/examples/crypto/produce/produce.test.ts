import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { mergeCaptures, skippedTotals } from '../../../../../examples/crypto/captures.js';
import {
  produceLive,
  RECEIVED_AT_HEADER,
  replayCaptures,
  type CaptureSource,
} from '../../../../../examples/crypto/produce/produce.js';
import { Publisher } from '../../../../../examples/crypto/produce/Publisher.js';
import { captureOf } from '../helpers.js';
import {
  BTC_BOOK_TICKER,
  BTC_TRADE,
  BTC_TRADE_2023,
  ETH_DEPTH,
  ETH_TRADE_0809,
  sliceLines,
} from '../lines.js';
import { BinanceStandIn, memoryLogger, recordedTrades, until } from './binanceStandIn.js';
import { flakyLog } from './flakyLog.js';

const topics = { trades: 'trades', klines: 'klines' };
const decoder = new TextDecoder();
const json = (line: string) => line.slice(line.indexOf(' ') + 1);
/** A recorded line, moved to another local time. */
const at = (localTime: bigint, line: string) => `${localTime} ${json(line)}`;

/** Lines as a capture read lazily; `pulled` counts the lines taken so far. */
const source = (name: string, lines: readonly string[]) => {
  const counter = { pulled: 0 };
  async function* read() {
    for (const line of lines) {
      counter.pulled++;
      yield line;
    }
  }
  return { capture: { source: name, lines: read() } satisfies CaptureSource, counter };
};

const setUp = (maxBuffered = 100_000) => {
  const log = flakyLog();
  const publisher = new Publisher({
    transport: log.transport,
    topics: [
      { topic: topics.trades, partitions: 1 },
      { topic: topics.klines, partitions: 1 },
    ],
    maxBuffered,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    random: () => 0.5,
    log: memoryLogger().log,
  });
  onTestFinished(() => publisher.close());
  publisher.start();
  return { publisher, ...log };
};

describe('replayCaptures', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const T0 = 1_723_161_254_000_000_000n;
  const MS = 1_000_000n;
  const paced = [
    at(T0, BTC_TRADE),
    at(T0 + 1_000n * MS, ETH_TRADE_0809),
    at(T0 + 1_000n * MS, BTC_TRADE),
    at(T0 + 1_200n * MS, BTC_BOOK_TICKER),
    at(T0 + 3_000n * MS, ETH_TRADE_0809),
  ];

  it('publishes at the recorded pace times the speed, on virtual time', async () => {
    const { publisher, state } = setUp();
    const started = Date.now();
    const done = replayCaptures({
      captures: [source('a', paced).capture],
      speed: 2,
      topics,
      publisher,
      signal: new AbortController().signal,
    });
    await vi.runAllTimersAsync();
    await done;
    await publisher.flush();
    const times = state.sends.flatMap((s) => Array.from({ length: s.count }, () => s.at - started));
    expect(times).toEqual([0, 500, 500, 1_500]);
  });

  it('publishes everything at once at speed max', async () => {
    const { publisher, state } = setUp();
    const started = Date.now();
    await replayCaptures({
      captures: [source('a', paced).capture],
      speed: Infinity,
      topics,
      publisher,
      signal: new AbortController().signal,
    });
    await publisher.flush();
    expect(state.sends.every((s) => s.at === started)).toBe(true);
  });

  it('publishes the trades of the recorded slices in the replay command’s merged order, each as captured, keyed by symbol', async () => {
    const { publisher, records } = setUp();
    const [btc, eth] = [sliceLines('BTCUSDT'), sliceLines('ETHUSDT')];
    const counts = await replayCaptures({
      captures: [source('btc', btc).capture, source('eth', eth).capture],
      speed: Infinity,
      topics,
      publisher,
      signal: new AbortController().signal,
    });
    await publisher.flush();

    const captures = [captureOf('btc', btc), captureOf('eth', eth)];
    const files: Record<string, readonly string[]> = { btc, eth };
    const expected = mergeCaptures(captures).map((l) => files[l.source]![l.line - 1]!);
    const published = records(topics.trades);
    expect(published.map((r) => decoder.decode(r.value!))).toEqual(expected.map(json));
    expect(published.map((r) => decoder.decode(r.key!))).toEqual(
      expected.map((l) => (JSON.parse(json(l)) as { data: { s: string } }).data.s),
    );
    const localTimes = expected.map((l) => l.slice(0, l.indexOf(' ')));
    expect(published.map((r) => decoder.decode(r.headers[RECEIVED_AT_HEADER]))).toEqual(localTimes);
    // Stamped when replayed, so that the broker's retention keeps them: here, at once, on the fake clock.
    expect(new Set(published.map((r) => r.timestamp))).toEqual(new Set([Date.now()]));
    expect(counts.skipped).toEqual(skippedTotals(captures));
    expect(counts).toMatchObject({ lines: btc.length + eth.length, unreadable: 0, outOfOrder: 0 });
  });

  it('merges captures by actual time whatever unit they wrote it in', async () => {
    const { publisher, values } = setUp();
    const micros = [at(1_680_652_800_004_107n, BTC_TRADE_2023), at(1_680_652_800_006_000n, BTC_TRADE)];
    const nanos = [at(1_680_652_800_005_000_000n, ETH_TRADE_0809)];
    await replayCaptures({
      captures: [source('us', micros).capture, source('ns', nanos).capture],
      speed: Infinity,
      topics,
      publisher,
      signal: new AbortController().signal,
    });
    await publisher.flush();
    expect(values(topics.trades)).toEqual([json(BTC_TRADE_2023), json(ETH_TRADE_0809), json(BTC_TRADE)]);
  });

  it('sends klines to their own topic and counts what it skips and cannot read', async () => {
    const { publisher, values } = setUp();
    const kline =
      '{"stream":"ethusdt@kline_1m","data":{"e":"kline","E":2,"s":"ETHUSDT","k":{"t":0,"i":"1m","x":false}}}';
    const counts = await replayCaptures({
      captures: [
        source('a', [
          at(1n, BTC_TRADE),
          `2 ${kline}`,
          at(3n, ETH_DEPTH),
          at(4n, BTC_BOOK_TICKER),
          '',
          'not a capture line',
          '5 {"lastUpdateId":1,"bids":[],"asks":[]}',
          at(4n, BTC_TRADE),
        ]).capture,
      ],
      speed: Infinity,
      topics,
      publisher,
      signal: new AbortController().signal,
    });
    await publisher.flush();
    expect(values(topics.klines)).toEqual([kline]);
    expect(values(topics.trades)).toEqual([json(BTC_TRADE), json(BTC_TRADE)]);
    expect(counts).toMatchObject({
      lines: 8,
      skipped: { depthUpdate: 1, bookTicker: 1, blank: 1, depthSnapshot: 1 },
      unreadable: 1,
      unreadableExamples: ['a:6: expected "<integer local time> <JSON>"'],
      outOfOrder: 1,
    });
  });

  it('stops reading while the log does not take messages, and drops nothing', async () => {
    const { publisher, state, values } = setUp(10);
    state.down = true;
    const lines = sliceLines('BTCUSDT');
    const { capture, counter } = source('btc', lines);
    const done = replayCaptures({
      captures: [capture],
      speed: Infinity,
      topics,
      publisher,
      signal: new AbortController().signal,
    });
    await vi.advanceTimersByTimeAsync(20_000);
    const pulled = counter.pulled;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(counter.pulled).toBe(pulled);
    expect(publisher.stats.buffered).toBe(10);
    expect(values(topics.trades)).toEqual([]);
    state.down = false;
    await vi.advanceTimersByTimeAsync(8_000);
    await done;
    await publisher.flush();
    expect(values(topics.trades)).toHaveLength(lines.filter((l) => l.includes('@trade')).length);
    expect(counter.pulled).toBe(lines.length);
  });
});

describe('produceLive', () => {
  it('publishes live trades and klines to their topics keyed by symbol, as received, and counts the rest', async () => {
    const server = await BinanceStandIn.start();
    onTestFinished(() => server.close());
    const { publisher, records } = setUp();
    const { log, messages } = memoryLogger();
    const live = produceLive({
      url: server.url,
      idleTimeoutMs: 30_000,
      rotateAfterMs: 3_600_000,
      overlapMs: 5_000,
      backoff: { initialMs: 1_000, maxMs: 8_000 },
      clock: () => 1_723_161_254_087_896_568n,
      topics,
      publisher,
      log,
    });
    onTestFinished(() => live.feed.stop());
    const trades = recordedTrades(3);
    const kline =
      '{"stream":"solusdt@kline_1m","data":{"e":"kline","E":2,"s":"SOLUSDT","k":{"t":0,"i":"1m","x":false}}}';
    await server.connection(0);
    server.broadcast([...trades, json(BTC_BOOK_TICKER), kline]);
    await until(() => live.skipped['bookTicker'] === 1, 'the book ticker skipped');
    await publisher.flush();

    const published = records(topics.trades);
    expect(published.map((r) => decoder.decode(r.value!))).toEqual(trades);
    expect(published.map((r) => decoder.decode(r.key!))).toEqual(['BTCUSDT', 'BTCUSDT', 'BTCUSDT']);
    expect(published[0]!.timestamp).toBe(1_723_161_254_087);
    expect(decoder.decode(published[0]!.headers[RECEIVED_AT_HEADER])).toBe('1723161254087896568');
    expect(records(topics.klines).map((r) => [decoder.decode(r.key!), decoder.decode(r.value!)])).toEqual([
      ['SOLUSDT', kline],
    ]);
    expect(messages('a message that is not a trade or kline: skipped')[0]).toMatchObject({
      kind: 'bookTicker',
    });
  });
});
