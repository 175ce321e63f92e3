import * as t from 'io-ts';
import { json, NumberFromString, timestampMs } from '../../src/index.js';

const BinanceTrade = t.type(
  {
    s: t.string, // symbol
    p: NumberFromString, // price, sent as a decimal string
    q: NumberFromString, // quantity
    T: timestampMs, // trade time: the event time
  },
  'BinanceTrade',
);
const trades = json(BinanceTrade);
const utf8 = (text: string) => new TextEncoder().encode(text);
const origin = { topic: 'binance.trades', partition: 0, offset: '42' };

const good = trades.deserialize(
  utf8('{"s":"BTCUSDT","p":"61685.99000000","q":"0.00162000","T":1723161600123}'),
  origin,
);
// { _tag: 'Right', right: { s: 'BTCUSDT', p: 61685.99, q: 0.00162, T: 1723161600123 } }

const bad = trades.deserialize(utf8('{"s":"BTCUSDT","p":61685.99,"q":"0.00162000"}'), origin);
// { _tag: 'Left', left: {
//   _tag: 'TributaryError', code: 'DECODE_FAILED', reason: 'invalid-value', retriable: false,
//   serde: 'json(BinanceTrade)', origin: { topic: 'binance.trades', partition: 0, offset: '42' },
//   paths: ['p: expected NumberFromString, got 61685.99', 'T: expected timestampMs, got undefined'],
//   message: 'json(BinanceTrade) cannot decode binance.trades/0@42: p: expected NumberFromString, got 61685.99; T: expected timestampMs, got undefined',
// } }

const bytes = trades.serialize({ s: 'ETHUSDT', p: 3100.5, q: 2, T: 1723161600456 });
// the UTF-8 bytes of '{"s":"ETHUSDT","p":"3100.5","q":"2","T":1723161600456}'
// ---- end of documented example ----
export { bad, bytes, good };
