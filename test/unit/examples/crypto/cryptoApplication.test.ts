import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryLog, memoryTransport, type Sink, type StreamRecord } from '../../../../src/index.js';
import {
  cryptoApplication,
  DEFAULT_TOPICS,
  type CandleResult,
} from '../../../../examples/crypto/cryptoApplication.js';
import { mergeCaptures } from '../../../../examples/crypto/captures.js';
import type { WindowStats } from '../../../../examples/crypto/movingAverages.js';
import { readCaptureFile } from '../../../../examples/crypto/readCaptureFile.js';
import { replay } from '../../../../examples/crypto/replay.js';

const slice = (name: string) =>
  fileURLToPath(new URL(`../../../../examples/crypto/data/${name}`, import.meta.url));
const encoder = new TextEncoder();

/** A sink that keeps what it is given. */
const collect = <V>(): Sink<string, V> & { readonly values: V[] } => {
  const values: V[] = [];
  return {
    name: 'collect',
    values,
    write: (records: readonly StreamRecord<string, V>[]) => void values.push(...records.map((r) => r.value)),
    flush: async () => undefined,
  };
};

describe('the process application', () => {
  it('computes, from published trade messages, the windows that replay computes from the captures', async () => {
    const captures = await Promise.all(
      ['btcusdt_20240808_head.gz', 'ethusdt_20240808_head.gz'].map((f) => readCaptureFile(slice(f))),
    );
    const settings = { windowMs: 30_000, slideMs: 5_000, watermarkMs: 60_000 };
    const expected = replay(captures, settings).windows;
    expect(expected.length).toBeGreaterThan(10);

    // As `produce` publishes them: combined-stream messages, in capture order, on one partition.
    const log = new MemoryLog();
    log.createTopic(DEFAULT_TOPICS.trades, { partitions: 1 });
    const trades = mergeCaptures(captures).flatMap((line) => (line._tag === 'trade' ? [line] : []));
    const message = (payload: string) => `{"stream":"x@trade","data":${payload}}`;
    log.produce(
      DEFAULT_TOPICS.trades,
      trades.map((line) => ({ key: null, value: encoder.encode(message(line.payload)) })),
    );
    const averages = collect<WindowStats>();
    const candles = collect<CandleResult>();
    const app = cryptoApplication({
      applicationId: 'crypto',
      transport: memoryTransport(log),
      topics: DEFAULT_TOPICS,
      ...settings,
      movingAverage: 'hopping',
      candleIntervals: ['1m'],
      extraSinks: { averages, candles },
    });
    onTestFinished(() => app.stop());
    await app.start();
    // A trade a day later closes every window of the data (a replay closes them at its end).
    const last = JSON.parse(trades.at(-1)!.payload) as { T: number };
    const closer = JSON.stringify({ e: 'trade', s: 'CLOSER', p: '1', q: '1', T: last.T + 86_400_000 });
    log.produce(DEFAULT_TOPICS.trades, [{ key: null, value: encoder.encode(message(closer)) }]);
    await app.caughtUp();

    const got = averages.values
      .filter((w) => w.symbol !== 'CLOSER')
      .map(({ vwap: _, ...w }) => w)
      .sort((a, b) => a.windowEnd - b.windowEnd || a.symbol.localeCompare(b.symbol));
    expect(got).toEqual(expected);
    for (const w of averages.values) expect(w.vwap).toBeGreaterThan(0);

    // 1 minute candles: each trade counted once, in its minute, the open and close in trade-time order.
    const real = candles.values.filter((c) => c.symbol !== 'CLOSER');
    const decoded = trades.map((t) => JSON.parse(t.payload) as { s: string; p: string; T: number });
    expect(real.reduce((n, c) => n + c.trades, 0)).toBe(decoded.length);
    for (const c of real) {
      const inside = decoded.filter((t) => t.s === c.symbol && t.T >= c.start && t.T < c.end);
      expect(c.trades).toBe(inside.length);
      expect(c.high).toBe(Math.max(...inside.map((t) => Number(t.p))));
      expect(c.low).toBe(Math.min(...inside.map((t) => Number(t.p))));
      expect(c.end - c.start).toBe(60_000);
    }
  });

  it('with --moving-average sliding, computes Kafka Streams sliding windows of the same statistics', async () => {
    const [capture] = await Promise.all([readCaptureFile(slice('btcusdt_20240808_head.gz'))]);
    const log = new MemoryLog();
    log.createTopic(DEFAULT_TOPICS.trades, { partitions: 1 });
    const trades = mergeCaptures([capture!]).flatMap((line) => (line._tag === 'trade' ? [line] : []));
    log.produce(
      DEFAULT_TOPICS.trades,
      trades.map((line) => ({ key: null, value: encoder.encode(line.payload) })),
    );
    const averages = collect<WindowStats>();
    const app = cryptoApplication({
      applicationId: 'crypto-sliding',
      transport: memoryTransport(log),
      topics: DEFAULT_TOPICS,
      windowMs: 30_000,
      slideMs: 5_000,
      watermarkMs: 5_000,
      movingAverage: 'sliding',
      candleIntervals: ['1m'],
      extraSinks: { averages },
    });
    onTestFinished(() => app.stop());
    await app.start();
    await app.caughtUp();

    const decoded = trades.map((t) => JSON.parse(t.payload) as { p: string; q: string; T: number });
    expect(averages.values.length).toBeGreaterThan(10);
    for (const w of averages.values) {
      // [s, s + 30 s] inclusive, as a half-open interval.
      expect(w.windowEnd - w.windowStart).toBe(30_001);
      const inside = decoded.filter((t) => t.T >= w.windowStart && t.T < w.windowEnd);
      expect(w.count).toBe(inside.length);
      const mean = inside.reduce((sum, t) => sum + Number(t.p), 0) / inside.length;
      expect(w.average_price).toBeCloseTo(mean, 6);
    }
  });

  it('sends trades that do not decode to the dead-letter topic, naming the path inside the envelope', async () => {
    const log = new MemoryLog();
    log.createTopic(DEFAULT_TOPICS.trades, { partitions: 1 });
    const app = cryptoApplication({
      applicationId: 'crypto-dlq',
      transport: memoryTransport(log),
      topics: DEFAULT_TOPICS,
      windowMs: 30_000,
      slideMs: 5_000,
      watermarkMs: 60_000,
      movingAverage: 'hopping',
      candleIntervals: ['1m'],
    });
    onTestFinished(() => app.stop());
    await app.start();
    const bad =
      '{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","p":"abc","q":"1","T":1723161250000}}';
    log.produce(DEFAULT_TOPICS.trades, [{ key: null, value: encoder.encode(bad) }]);
    await app.caughtUp();
    await app.checkpoint();
    const [letter] = log.fetch(`${DEFAULT_TOPICS.trades}.dlq`, 0, '0').records;
    expect(new TextDecoder().decode(letter!.value!)).toBe(bad);
    expect(new TextDecoder().decode(letter!.headers['tributary.error.paths'])).toContain('data.p');
  });
});
