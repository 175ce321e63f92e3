import { describe, expect, it } from 'vitest';
import { parseCaptureLine } from '../../../../../examples/crypto/capture.js';
import { classifyMessage } from '../../../../../examples/crypto/produce/binanceMessage.js';
import { combinedStreamUrl, streamNames } from '../../../../../examples/crypto/produce/binanceStreams.js';
import { BTC_BOOK_TICKER, BTC_TRADE, BTC_TRADE_2023, ETH_DEPTH, sliceLines } from '../lines.js';

const json = (line: string) => line.slice(line.indexOf(' ') + 1);

/** A kline event as Binance documents it. */
const KLINE =
  '{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1723161300012,"s":"BTCUSDT","k":{"t":1723161240000,"T":1723161299999,"s":"BTCUSDT","i":"1m","f":3735683259,"L":3735684641,"o":"61837.63000000","c":"61829.25000000","h":"61850.00000000","l":"61800.01000000","v":"12.53100000","n":1383,"x":true,"q":"774921.12000000","V":"6.10000000","Q":"377000.00000000","B":"0"}}}';

describe('classifyMessage', () => {
  it('reads a trade: its stream, symbol and trade id', () => {
    expect(classifyMessage(json(BTC_TRADE))).toEqual({
      _tag: 'trade',
      stream: 'btcusdt@trade',
      symbol: 'BTCUSDT',
      tradeId: 3735683259,
    });
    expect(classifyMessage(json(BTC_TRADE_2023))).toMatchObject({ _tag: 'trade', tradeId: 3071245454 });
  });

  it('reads a kline: its start, whether it is final, and its event time', () => {
    expect(classifyMessage(KLINE)).toEqual({
      _tag: 'kline',
      stream: 'btcusdt@kline_1m',
      symbol: 'BTCUSDT',
      start: 1723161240000,
      closed: true,
      eventTime: 1723161300012,
    });
  });

  it('names other messages by kind, as the capture reader does', () => {
    expect(classifyMessage(json(BTC_BOOK_TICKER))).toEqual({ _tag: 'other', kind: 'bookTicker' });
    expect(classifyMessage(json(ETH_DEPTH))).toEqual({ _tag: 'other', kind: 'depthUpdate' });
    expect(classifyMessage('{"lastUpdateId":1,"bids":[],"asks":[]}')).toEqual({
      _tag: 'other',
      kind: 'depthSnapshot',
    });
    expect(classifyMessage('{"result":null,"id":1}')).toEqual({ _tag: 'other', kind: 'unknown' });
  });

  it('takes the symbol from the stream when the event has none, and a bare event as it is', () => {
    expect(classifyMessage('{"stream":"solusdt@trade","data":{"t":5}}')).toEqual({
      _tag: 'trade',
      stream: 'solusdt@trade',
      symbol: 'SOLUSDT',
      tradeId: 5,
    });
    expect(classifyMessage('{"e":"trade","s":"XRPUSDT","t":7}')).toEqual({
      _tag: 'trade',
      stream: 'xrpusdt@trade',
      symbol: 'XRPUSDT',
      tradeId: 7,
    });
  });

  it('says what is wrong with a message it cannot use, without throwing', () => {
    expect(classifyMessage('{"stream":"btcusdt@tr')).toMatchObject({ _tag: 'invalid' });
    expect(classifyMessage('[1,2]')).toEqual({ _tag: 'invalid', reason: 'not a JSON object' });
    expect(classifyMessage('{"stream":"btcusdt@trade"}')).toEqual({
      _tag: 'invalid',
      reason: 'a btcusdt@trade message without "data"',
    });
    expect(classifyMessage('{"e":"trade","p":"1"}')).toMatchObject({ _tag: 'invalid' });
  });

  it('agrees with the capture reader on every line of the recorded slices', () => {
    for (const line of [...sliceLines('BTCUSDT'), ...sliceLines('ETHUSDT')]) {
      const captured = parseCaptureLine(line);
      const message = classifyMessage(json(line));
      if (captured._tag === 'trade') expect(message._tag).toBe('trade');
      else expect(message).toEqual({ _tag: 'other', kind: (captured as { kind: string }).kind });
    }
  });
});

describe('streams', () => {
  it('subscribes to the trades and klines of each symbol on one combined stream', () => {
    const streams = streamNames(['BTCUSDT', 'ethusdt'], ['1m', '5m']);
    expect(streams).toEqual([
      'btcusdt@trade',
      'btcusdt@kline_1m',
      'btcusdt@kline_5m',
      'ethusdt@trade',
      'ethusdt@kline_1m',
      'ethusdt@kline_5m',
    ]);
    expect(combinedStreamUrl('wss://stream.binance.com:9443', streams.slice(0, 2))).toBe(
      'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@kline_1m',
    );
    expect(combinedStreamUrl('ws://127.0.0.1:8080/stream/', ['a@trade'])).toBe(
      'ws://127.0.0.1:8080/stream?streams=a@trade',
    );
  });
});
