import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCaptureLine, rawMember } from '../../../../examples/crypto/capture.js';
import { readCaptureFile } from '../../../../examples/crypto/readCaptureFile.js';
import { BTC_BOOK_TICKER, BTC_TRADE, BTC_TRADE_2023, ETH_DEPTH, SLICES, sliceLines } from './lines.js';

describe('parseCaptureLine on recorded lines', () => {
  it('reads a 2024 trade: the local time in nanoseconds, exactly, and the trade object as written', () => {
    expect(parseCaptureLine(BTC_TRADE)).toEqual({
      _tag: 'trade',
      localTime: 1723161254087896568n,
      payload:
        '{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}',
    });
  });

  it('reads a 2023 trade: the local time in microseconds, buyer and seller order ids kept', () => {
    expect(parseCaptureLine(BTC_TRADE_2023)).toEqual({
      _tag: 'trade',
      localTime: 1680652800004107n,
      payload:
        '{"e":"trade","E":1680652800000,"s":"BTCUSDT","t":3071245454,"p":"28165.47000000","q":"0.00056000","b":20720542158,"a":20720542592,"T":1680652799999,"m":true,"M":true}',
    });
  });

  it('names the other kinds of message: book ticker, depth update, depth snapshot', () => {
    expect(parseCaptureLine(BTC_BOOK_TICKER)).toEqual({
      _tag: 'other',
      localTime: 1723161254087891268n,
      kind: 'bookTicker',
    });
    expect(parseCaptureLine(ETH_DEPTH)).toEqual({
      _tag: 'other',
      localTime: 1723161254036052868n,
      kind: 'depthUpdate',
    });
    const snapshot = sliceLines('ETHUSDT').find((line) => line.includes('"lastUpdateId"'))!;
    expect(snapshot.startsWith('1723161254152322667 {"lastUpdateId":35346513512,"bids":[[')).toBe(true);
    expect(parseCaptureLine(snapshot)).toEqual({
      _tag: 'other',
      localTime: 1723161254152322667n,
      kind: 'depthSnapshot',
    });
  });

  it.each(Object.entries(SLICES))(
    'classifies every line of the %s slice of the recordings',
    async (_symbol, { file, lines, trades, bookTickers, depthUpdates }) => {
      const capture = await readCaptureFile(file);
      expect(capture.lineCount).toBe(lines);
      expect(capture.lines.filter((l) => l._tag === 'trade')).toHaveLength(trades);
      expect(capture.lines.filter((l) => l._tag === 'unreadable')).toEqual([]);
      expect(Object.fromEntries(capture.skipped)).toEqual({
        bookTicker: bookTickers,
        depthUpdate: depthUpdates,
        depthSnapshot: 1,
      });
    },
  );
});

describe('parseCaptureLine on other lines', () => {
  const trade = '{"e":"trade","s":"BTCUSDT","p":"1.5","q":"2","T":1000}';

  it('takes a bare trade object, a trade stream without an event type, and a trade event on any stream', () => {
    expect(parseCaptureLine(`5 ${trade}`)).toEqual({ _tag: 'trade', localTime: 5n, payload: trade });
    expect(parseCaptureLine('5 {"stream":"btcusdt@trade","data":{"p":"1"}}')).toEqual({
      _tag: 'trade',
      localTime: 5n,
      payload: '{"p":"1"}',
    });
    expect(parseCaptureLine(`5 {"data":${trade}}`)).toEqual({ _tag: 'trade', localTime: 5n, payload: trade });
  });

  it('hands a trade stream message whose data is not an object to the codec, which rejects it', () => {
    expect(parseCaptureLine('5 {"stream":"btcusdt@trade","data":"garbage"}')).toEqual({
      _tag: 'trade',
      localTime: 5n,
      payload: '"garbage"',
    });
  });

  it('names kinds it does not know by their event type or stream', () => {
    expect(parseCaptureLine('5 {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade"}}')).toMatchObject({
      _tag: 'other',
      kind: 'aggTrade',
    });
    expect(parseCaptureLine('5 {"stream":"btcusdt@kline_1m","data":{}}')).toMatchObject({ kind: 'kline_1m' });
    expect(parseCaptureLine('5 {"result":null,"id":1}')).toMatchObject({ _tag: 'other', kind: 'unknown' });
  });

  it('keeps the trade text exactly, blanks and escapes included, and ignores a trailing carriage return', () => {
    const spaced = '{ "e" : "trade", "s" : "B\\u0054C", "p" : "1.50" }';
    expect(parseCaptureLine(`7 { "stream" : "x@trade" , "data" : ${spaced} }\r`)).toEqual({
      _tag: 'trade',
      localTime: 7n,
      payload: spaced,
    });
  });

  it('counts a blank line as blank', () => {
    expect(parseCaptureLine('')).toEqual({ _tag: 'blank' });
    expect(parseCaptureLine('  \t')).toEqual({ _tag: 'blank' });
  });

  it.each([
    ['no local time', trade, undefined, 'expected "<integer local time> <JSON>"'],
    ['a negative local time', `-5 ${trade}`, undefined, 'expected "<integer local time> <JSON>"'],
    ['a fractional local time', `5.5 ${trade}`, undefined, 'expected "<integer local time> <JSON>"'],
    ['a local time alone', '1723161254087896568', undefined, 'expected "<integer local time> <JSON>"'],
    ['cut-off JSON', '5 {"stream":"btcusdt@trade","data":{"e":"tr', 5n, 'the message is not valid JSON'],
    ['a JSON array', '5 [1,2]', 5n, 'the message is not a JSON object'],
    ['a JSON string', '5 "trade"', 5n, 'the message is not a JSON object'],
    [
      'a trade stream without data',
      '5 {"stream":"btcusdt@trade"}',
      5n,
      'a btcusdt@trade message without "data"',
    ],
  ])('reports a line with %s as invalid, with the reason', (_what, line, localTime, reason) => {
    const parsed = parseCaptureLine(line);
    expect(parsed).toMatchObject({ _tag: 'invalid', localTime });
    expect(parsed._tag === 'invalid' && parsed.reason).toContain(reason);
  });
});

describe('rawMember', () => {
  it('finds the last of repeated members, as JSON.parse does', () => {
    expect(rawMember('{"data":1,"data":{"a":"}"}}', 'data')).toBe('{"a":"}"}');
    expect(rawMember('{"a":[1,{"data":2}]}', 'data')).toBeUndefined();
  });

  it('returns exactly the text of any member value, however it is written', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.jsonValue(),
        fc.constantFrom(0, 1, 2, '\t'),
        fc.constantFrom('data', 'da\\"ta', 'd\\u0061ta'),
        (before, value, indent, keyText) => {
          const valueText = JSON.stringify(value, null, indent);
          const text = `{ "stream" : ${JSON.stringify(before)}, "${keyText}"\n:\t${valueText} }`;
          const key = JSON.parse(`"${keyText}"`) as string;
          expect(rawMember(text, key)).toBe(valueText);
        },
      ),
    );
  });
});
