import { describe, expect, it } from 'vitest';
import type { BinanceMessage } from '../../../../../examples/crypto/produce/binanceMessage.js';
import { StreamProgress } from '../../../../../examples/crypto/produce/StreamProgress.js';

type Checked = Extract<BinanceMessage, { _tag: 'trade' | 'kline' }>;

const trade = (tradeId: number | undefined, stream = 'btcusdt@trade'): Checked => ({
  _tag: 'trade',
  stream,
  symbol: 'BTCUSDT',
  tradeId,
});
const kline = (start: number, eventTime: number, closed = false, stream = 'btcusdt@kline_1m'): Checked => ({
  _tag: 'kline',
  stream,
  symbol: 'BTCUSDT',
  start,
  closed,
  eventTime,
});

const duplicates = (progress: StreamProgress, messages: readonly Checked[]) =>
  messages.map((m) => progress.check(m).duplicate);

describe('StreamProgress', () => {
  it('passes each trade id of a stream once, and counts the ids that never came', () => {
    const progress = new StreamProgress();
    expect(progress.check(trade(41))).toEqual({ duplicate: false, missedTrades: 0 });
    expect(progress.check(trade(42))).toEqual({ duplicate: false, missedTrades: 0 });
    expect(progress.check(trade(41))).toEqual({ duplicate: true, missedTrades: 0 });
    expect(progress.check(trade(42))).toEqual({ duplicate: true, missedTrades: 0 });
    expect(progress.check(trade(46))).toEqual({ duplicate: false, missedTrades: 3 });
    expect(progress.check(trade(1, 'ethusdt@trade'))).toEqual({ duplicate: false, missedTrades: 0 });
    expect(progress.check(trade(undefined))).toEqual({ duplicate: false, missedTrades: 0 });
  });

  it('passes the messages of two connections that deliver the same trades interleaved exactly once, in order', () => {
    const progress = new StreamProgress();
    const a = [1, 2, 3, 4, 5, 6].map((id) => trade(id));
    const b = [4, 5, 6, 7, 8].map((id) => trade(id));
    const arrivals = [a[0]!, a[1]!, a[2]!, b[0]!, a[3]!, b[1]!, a[4]!, a[5]!, b[2]!, b[3]!, b[4]!];
    const passed = arrivals.filter((m) => !progress.check(m).duplicate);
    expect(passed.map((m) => (m._tag === 'trade' ? m.tradeId : undefined))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('passes each update of a kline once and its final version once, across two connections', () => {
    const progress = new StreamProgress();
    const t = 1_723_161_240_000;
    expect(
      duplicates(progress, [
        kline(t, 100), // A
        kline(t, 100), // B: the same update
        kline(t, 2100), // A
        kline(t, 2100), // B
        kline(t, 60_000, true), // B: final
        kline(t, 60_000, true), // A: final again
        kline(t, 2100), // A late: the kline is final already
        kline(t + 60_000, 60_100), // B: the next kline
        kline(t, 60_000, true), // A: late final of the previous one
        kline(t + 60_000, 60_100), // A
        kline(t + 60_000, 62_100), // A
      ]),
    ).toEqual([false, true, false, true, false, true, true, false, true, true, false]);
  });

  it('passes a final kline that comes after the next kline started, once', () => {
    const progress = new StreamProgress();
    const t = 1_723_161_240_000;
    expect(
      duplicates(progress, [
        kline(t, 100),
        kline(t + 60_000, 60_100),
        kline(t, 60_000, true),
        kline(t, 60_000, true),
      ]),
    ).toEqual([false, false, false, true]);
  });

  it('keeps streams apart', () => {
    const progress = new StreamProgress();
    expect(
      duplicates(progress, [
        kline(0, 5),
        kline(0, 5, false, 'btcusdt@kline_5m'),
        kline(0, 5, false, 'ethusdt@kline_1m'),
      ]),
    ).toEqual([false, false, false]);
  });
});
