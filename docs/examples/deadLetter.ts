import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { deadLetterHeaders, json } from '../../src/index.js';

const Trade = t.type({ p: t.string, T: t.number }, 'Trade');
const bytes = new TextEncoder().encode('{"p":42}');
const result = json(Trade).deserialize(bytes, { topic: 'binance.trades', partition: 3, offset: '1042' });

const headers = E.isLeft(result) ? deadLetterHeaders(result.left) : {};
// {
//   'tributary.error.code': 'DECODE_FAILED',
//   'tributary.error.message': 'json(Trade) cannot decode binance.trades/3@1042: p: expected string, got 42; T: expected number, got undefined',
//   'tributary.error.paths': 'p: expected string, got 42\nT: expected number, got undefined',
//   'tributary.origin.topic': 'binance.trades',
//   'tributary.origin.partition': '3',
//   'tributary.origin.offset': '1042',
// }
// ---- end of documented example ----
export { headers };
