import { describe, expect, it } from 'vitest';
import { mergeCaptures, skippedTotals } from '../../../../examples/crypto/captures.js';
import { bookTickerLine, captureOf, depthLine, snapshotLine, tradeLine } from './helpers.js';

const btc = (T: number) => ({ s: 'BTCUSDT', p: '1.0', q: '1.0', T });
const eth = (T: number) => ({ s: 'ETHUSDT', p: '1.0', q: '1.0', T });

describe('mergeCaptures', () => {
  it('orders the trades of several captures by local time, exactly, beyond the doubles', () => {
    const a = captureOf('a', [
      tradeLine(1723161254000000001n, btc(1)),
      tradeLine(1723161254000000003n, btc(3)),
    ]);
    const b = captureOf('b', [
      tradeLine(1723161254000000002n, eth(2)),
      tradeLine(1723161254000000004n, eth(4)),
    ]);
    expect(mergeCaptures([a, b]).map((l) => `${l.source}:${l.line}`)).toEqual(['a:1', 'b:1', 'a:2', 'b:2']);
  });

  it('keeps the captures in the order given, then their line order, for equal local times', () => {
    const a = captureOf('a', [tradeLine(7, btc(1)), tradeLine(7, btc(2))]);
    const b = captureOf('b', [tradeLine(5, eth(1)), tradeLine(7, eth(2))]);
    expect(mergeCaptures([a, b]).map((l) => `${l.source}:${l.line}`)).toEqual(['b:1', 'a:1', 'a:2', 'b:2']);
    expect(mergeCaptures([b, a]).map((l) => `${l.source}:${l.line}`)).toEqual(['b:1', 'b:2', 'a:1', 'a:2']);
  });

  it('puts a capture whose local time goes back in local-time order', () => {
    const a = captureOf('a', [tradeLine(9, btc(1)), tradeLine(3, btc(2))]);
    expect(mergeCaptures([a]).map((l) => l.line)).toEqual([2, 1]);
  });

  it('keeps unreadable lines, those without a local time first, and counts the other messages by kind', () => {
    const a = captureOf('a', [
      bookTickerLine(1),
      tradeLine(4, btc(1)),
      depthLine(5),
      '6 {"stream":"btcusdt@trade","data":{"e":"tr',
      'not a capture line',
      '',
      snapshotLine(8),
      bookTickerLine(9),
    ]);
    expect(a.lineCount).toBe(8);
    expect(Object.fromEntries(a.skipped)).toEqual({
      bookTicker: 2,
      depthUpdate: 1,
      blank: 1,
      depthSnapshot: 1,
    });
    expect(mergeCaptures([a]).map((l) => `${l._tag}:${l.line}`)).toEqual([
      'unreadable:5',
      'trade:2',
      'unreadable:4',
    ]);
    const b = captureOf('b', [depthLine(1), depthLine(2)]);
    expect(skippedTotals([a, b])).toEqual({ bookTicker: 2, depthUpdate: 3, blank: 1, depthSnapshot: 1 });
  });
});
