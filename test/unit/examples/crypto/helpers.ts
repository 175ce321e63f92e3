import { CaptureReader, type Capture } from '../../../../examples/crypto/captures.js';

/** A trade's fields as written in a capture; `p` and `q` are strings there. */
export interface TradeFields {
  readonly s: string;
  readonly p: unknown;
  readonly q: unknown;
  readonly T: unknown;
}

/** The trade object of a capture line, as Binance writes it. */
export const tradeJson = ({ s, p, q, T }: TradeFields, id = 1): string =>
  JSON.stringify({ e: 'trade', E: typeof T === 'number' ? T + 1 : 0, s, t: id, p, q, T, m: true, M: true });

/** A `<local time> {"stream":"<symbol>@trade","data":{…}}` capture line. */
export const tradeLine = (localTime: bigint | number, trade: TradeFields, id = 1): string =>
  `${localTime} {"stream":"${trade.s.toLowerCase()}@trade","data":${tradeJson(trade, id)}}`;

/** A book ticker line (not a trade). */
export const bookTickerLine = (localTime: bigint | number, symbol = 'BTCUSDT'): string =>
  `${localTime} {"stream":"${symbol.toLowerCase()}@bookTicker","data":{"u":1,"s":"${symbol}","b":"1.00","B":"2.00","a":"1.01","A":"3.00"}}`;

/** A depth update line (not a trade). */
export const depthLine = (localTime: bigint | number, symbol = 'BTCUSDT'): string =>
  `${localTime} {"stream":"${symbol.toLowerCase()}@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"${symbol}","U":1,"u":2,"b":[["1.00","0.00000000"]],"a":[]}}`;

/** A REST depth snapshot line (no envelope). */
export const snapshotLine = (localTime: bigint | number): string =>
  `${localTime} {"lastUpdateId":1,"bids":[["1.00","2.00"]],"asks":[["1.01","3.00"]]}`;

/** A capture read from lines, as from a file named `source`. */
export const captureOf = (source: string, lines: readonly string[]): Capture => {
  const reader = new CaptureReader(source);
  for (const line of lines) reader.add(line);
  return reader.capture();
};
