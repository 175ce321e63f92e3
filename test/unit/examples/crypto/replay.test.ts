import { describe, expect, it } from 'vitest';
import { aggregators, hopping, type KStream } from '../../../../src/index.js';
import { TestDriver } from '../../../../src/testing/index.js';
import { replay, type ReplaySettings } from '../../../../examples/crypto/replay.js';
import { bookTickerLine, captureOf, depthLine, snapshotLine, tradeJson, tradeLine } from './helpers.js';

/** A window start on the 5 s grid, in August 2024, so that the tests read in offsets from it. */
const B = 1_723_161_250_000;
const SETTINGS: ReplaySettings = { windowMs: 10_000, slideMs: 5_000, watermarkMs: 0 };

const btc = (T: number, p = '1', q = '1') => ({ s: 'BTCUSDT', p, q, T });
const eth = (T: number, p = '1', q = '1') => ({ s: 'ETHUSDT', p, q, T });

/** Replays one capture whose lines have local times 1, 2, 3, … */
const replayLines = (lines: readonly string[], settings: ReplaySettings = SETTINGS) =>
  replay([captureOf('capture', lines)], settings);

const inOrder = (trades: readonly Parameters<typeof tradeLine>[1][]) =>
  trades.map((t, i) => tradeLine(i + 1, t));

const window = (
  symbol: string,
  start: number,
  end: number,
  average_price: number,
  count: number,
  volume: number,
) => ({
  symbol,
  windowStart: start,
  windowEnd: end,
  average_price,
  count,
  volume,
});

describe('replay: windows', () => {
  it('puts each trade in every window [k·slide, k·slide + size) that contains it, output by end', () => {
    const result = replayLines(
      inOrder([btc(B + 1_000, '100', '1'), btc(B + 6_000, '200', '2'), btc(B + 12_000, '300', '3')]),
    );
    expect(result.windows).toEqual([
      window('BTCUSDT', B - 5_000, B + 5_000, 100, 1, 1),
      window('BTCUSDT', B, B + 10_000, 150, 2, 3),
      window('BTCUSDT', B + 5_000, B + 15_000, 250, 2, 5),
      window('BTCUSDT', B + 10_000, B + 20_000, 300, 1, 3),
    ]);
    expect(result.late).toEqual([]);
  });

  it('counts a trade in the windows still open when it arrives, and reports one whose windows all closed as late', () => {
    const late = btc(B + 4_000, '30', '1');
    const result = replayLines(
      inOrder([
        btc(B + 20_000, '10', '0.5'), // watermark B + 18 s: windows ending at B + 18 s or before close
        btc(B + 12_000, '20', '0.25'), // [B + 5 s, B + 15 s) is closed, [B + 10 s, B + 20 s) open
        late, // [B − 5 s, B + 5 s) and [B, B + 10 s) are closed
        btc(B + 17_000, '40', '2'),
      ]),
      { ...SETTINGS, watermarkMs: 2_000 },
    );
    expect(result.windows).toEqual([
      window('BTCUSDT', B + 10_000, B + 20_000, 30, 2, 2.25),
      window('BTCUSDT', B + 15_000, B + 25_000, 25, 2, 2.5),
      window('BTCUSDT', B + 20_000, B + 30_000, 10, 1, 0.5),
    ]);
    expect(result.late).toEqual([tradeJson(late)]);
    expect(result.counts).toMatchObject({ trades: 4, decoded: 4, late: 1, windows: 3 });
  });

  it('closes a window when the watermark reaches its end, exactly', () => {
    const result = replayLines(
      inOrder([
        btc(B + 10_000, '1'), // watermark B + 10 s: [B, B + 10 s) closes
        btc(B + 9_999, '2'), // only in [B + 5 s, B + 15 s)
        btc(B + 4_999, '3'), // [B − 5 s, B + 5 s) and [B, B + 10 s) closed: late
        btc(B + 10_000, '4'), // at the watermark: both its windows are open
        btc(B + 15_000, '5'),
      ]),
    );
    expect(result.windows).toEqual([
      window('BTCUSDT', B + 5_000, B + 15_000, 7 / 3, 3, 3),
      window('BTCUSDT', B + 10_000, B + 20_000, 10 / 3, 3, 3),
      window('BTCUSDT', B + 15_000, B + 25_000, 5, 1, 1),
    ]);
    expect(result.late).toEqual([tradeJson(btc(B + 4_999, '3'))]);
  });

  it('closes every open window when the input ends', () => {
    const result = replayLines(inOrder([btc(B + 1_000), eth(B + 2_000)]), {
      ...SETTINGS,
      watermarkMs: 3_600_000,
    });
    expect(result.windows.map((w) => `${w.symbol} ${w.windowStart - B}`)).toEqual([
      'BTCUSDT -5000',
      'ETHUSDT -5000',
      'BTCUSDT 0',
      'ETHUSDT 0',
    ]);
  });

  it('counts a trade repeated in the input as often as it comes', () => {
    const line = tradeLine(1, btc(B + 1_000, '2', '3'));
    const result = replayLines([line, line]);
    expect(result.windows).toEqual([
      window('BTCUSDT', B - 5_000, B + 5_000, 2, 2, 6),
      window('BTCUSDT', B, B + 10_000, 2, 2, 6),
    ]);
  });

  it('has windows starting before the epoch for trades in its first window size', () => {
    const result = replayLines(inOrder([btc(0, '1'), btc(3_000, '2'), btc(5_000, '3')]));
    expect(result.windows).toEqual([
      window('BTCUSDT', -5_000, 5_000, 1.5, 2, 2),
      window('BTCUSDT', 0, 10_000, 2, 3, 3),
      window('BTCUSDT', 5_000, 15_000, 3, 1, 1),
    ]);
  });

  it('takes window sizes that are not a multiple of the slide, and a slide equal to the window', () => {
    const trades = inOrder([btc(B + 1_000, '1'), btc(B + 8_000, '2')]);
    const tumbling = replayLines(trades, { windowMs: 10_000, slideMs: 10_000, watermarkMs: 0 });
    expect(tumbling.windows).toEqual([window('BTCUSDT', B, B + 10_000, 1.5, 2, 2)]);
    const odd = replayLines(trades, { windowMs: 7_000, slideMs: 3_000, watermarkMs: 0 });
    // B is a multiple of 3 s plus 1 s: windows start at B − 1 s + 3 s·k.
    expect(odd.windows.map((w) => [w.windowStart - B, w.windowEnd - B, w.count])).toEqual([
      [-4_000, 3_000, 1],
      [-1_000, 6_000, 1],
      [2_000, 9_000, 1],
      [5_000, 12_000, 1],
      [8_000, 15_000, 1],
    ]);
  });
});

describe('replay: input', () => {
  it('merges several captures by local time into one arrival order, which decides lateness', () => {
    const a = captureOf('btc.gz', [
      tradeLine(10, btc(B + 1_000)),
      tradeLine(30, btc(B + 25_000)), // watermark B + 25 s
      tradeLine(50, btc(B + 26_000)),
    ]);
    const b = captureOf('eth.gz', [
      tradeLine(20, eth(B + 2_000)),
      tradeLine(40, eth(B + 3_000)), // after the BTC trade at local time 30: late
      tradeLine(50, eth(B + 27_000)),
    ]);
    const tumbling = { windowMs: 10_000, slideMs: 10_000, watermarkMs: 0 };
    const merged = replay([a, b], tumbling);
    expect(merged.windows).toEqual([
      window('BTCUSDT', B, B + 10_000, 1, 1, 1),
      window('ETHUSDT', B, B + 10_000, 1, 1, 1),
      window('BTCUSDT', B + 20_000, B + 30_000, 1, 2, 2),
      window('ETHUSDT', B + 20_000, B + 30_000, 1, 1, 1),
    ]);
    expect(merged.late).toEqual([tradeJson(eth(B + 3_000))]);
    // Alone, the ETH capture has no late trade.
    expect(replay([b], tumbling).late).toEqual([]);
  });

  it('skips the messages that are not trades and counts them by kind', () => {
    const result = replayLines([
      bookTickerLine(1),
      depthLine(2, 'ETHUSDT'),
      snapshotLine(3),
      tradeLine(4, btc(B + 1_000)),
      '5 {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT","p":"1","q":"1","T":1723161251000}}',
      '',
      bookTickerLine(7, 'ETHUSDT'),
    ]);
    expect(result.counts).toEqual({
      lines: 7,
      trades: 1,
      decoded: 1,
      late: 0,
      windows: 2,
      decodeFailures: 0,
      unreadableLines: 0,
      skipped: { bookTicker: 2, depthUpdate: 1, depthSnapshot: 1, aggTrade: 1, blank: 1 },
    });
    expect(result.deadLetters).toEqual([]);
  });

  it('reports trades that fail to decode and unreadable lines, which neither count nor move the watermark', () => {
    const bad = { s: 'BTCUSDT', p: 'abc', q: '1', T: B + 100_000 };
    const result = replayLines([
      tradeLine(1, btc(B + 1_000, '10')),
      tradeLine(2, bad),
      '3 {"stream":"btcusdt@trade","data":{"e":"tr',
      tradeLine(4, btc(B + 2_000, '20')), // not late: the bad trade did not move the watermark
      'garbage',
    ]);
    expect(result.windows).toEqual([
      window('BTCUSDT', B - 5_000, B + 5_000, 15, 2, 2),
      window('BTCUSDT', B, B + 10_000, 15, 2, 2),
    ]);
    expect(result.late).toEqual([]);
    expect(result.deadLetters).toEqual([
      {
        source: 'capture',
        line: 5,
        code: 'CAPTURE_LINE_INVALID',
        message: 'expected "<integer local time> <JSON>"',
        paths: [],
        value: 'garbage',
      },
      {
        source: 'capture',
        line: 2,
        code: 'DECODE_FAILED',
        message: 'json(BinanceTrade) cannot decode trades/0@1: p: expected PositiveDecimal, got "abc"',
        paths: ['p: expected PositiveDecimal, got "abc"'],
        value: tradeJson(bad),
      },
      {
        source: 'capture',
        line: 3,
        code: 'CAPTURE_LINE_INVALID',
        message: expect.stringContaining('the message is not valid JSON') as string,
        paths: [],
        value: '3 {"stream":"btcusdt@trade","data":{"e":"tr',
      },
    ]);
    expect(result.counts).toMatchObject({ trades: 3, decoded: 2, decodeFailures: 1, unreadableLines: 2 });
  });

  it('writes a late trade exactly as it was captured', () => {
    const captured = '{ "e":"trade", "s":"BTCUSDT", "p":"1.50000000", "q":"2.0", "T":1723161251000 }';
    const result = replayLines([
      tradeLine(1, btc(B + 60_000)),
      `2 {"stream":"btcusdt@trade","data":${captured}}`,
    ]);
    expect(result.late).toEqual([captured]);
  });
});

describe('replay: floating point', () => {
  // Quantities 0.1, 0.2 and 0.3 in two panes of [B, B + 10 s): 0.1 in [B, B + 5 s), the rest in
  // [B + 5 s, B + 10 s). In arrival order, (0.1 + 0.2) + 0.3 is 0.6000000000000001; pane by pane,
  // 0.1 + (0.2 + 0.3) is 0.6.
  const trades = [btc(B + 1_000, '0.1', '0.1'), btc(B + 6_000, '0.2', '0.2'), btc(B + 7_000, '0.3', '0.3')];

  it('adds prices and quantities in arrival order, as a plain loop over the trades does', () => {
    const [, whole] = replayLines(inOrder(trades)).windows;
    expect(whole).toEqual(window('BTCUSDT', B, B + 10_000, (0.1 + 0.2 + 0.3) / 3, 3, 0.1 + 0.2 + 0.3));
    expect(whole!.volume).toBe(0.6000000000000001);
  });

  it('adds them in arrival order when they arrive out of event-time order', () => {
    const disordered = [trades[2]!, trades[0]!, trades[1]!];
    const [, whole] = replayLines(inOrder(disordered), { ...SETTINGS, watermarkMs: 10_000 }).windows;
    expect(whole!.volume).toBe(0.3 + 0.1 + 0.2);
    expect(whole!.average_price).toBe((0.3 + 0.1 + 0.2) / 3);
  });

  it('differs in the last bits from the built-in sum, which merges panes', () => {
    const driver = TestDriver.create((quantities: KStream<string, number>) =>
      quantities.window(hopping('10s', '5s')).aggregate(aggregators.sum()),
    );
    for (const t of trades) driver.send('BTCUSDT', Number(t.q), t.T);
    driver.end();
    const whole = driver.values().find((r) => r.window.start === B)!;
    expect(whole.value).toBe(0.6);
  });
});
