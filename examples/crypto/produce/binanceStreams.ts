/**
 * Binance's combined-stream websocket: which streams the `produce` command subscribes to, and the URL that
 * subscribes to them (`wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@kline_1m`).
 */

/** Binance's production market-data endpoint (also on port 443). */
export const DEFAULT_ENDPOINT = 'wss://stream.binance.com:9443';

export const DEFAULT_SYMBOLS: readonly string[] = ['BTCUSDT', 'ETHUSDT', 'XRPUSDT', 'SOLUSDT'];

/** The kline (candlestick) intervals Binance streams. */
export const KLINE_INTERVALS: readonly string[] = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
];

/** Binance serves at most this many streams on one connection. */
export const MAX_STREAMS_PER_CONNECTION = 1024;

/**
 * The stream names for the trades and klines of `symbols`, in that order per symbol. Names are lowercase,
 * as Binance requires.
 *
 * @example
 * ```ts
 * streamNames(['BTCUSDT'], ['1m']); // ['btcusdt@trade', 'btcusdt@kline_1m']
 * ```
 */
export const streamNames = (symbols: readonly string[], klineIntervals: readonly string[]): string[] =>
  symbols.flatMap((symbol) => {
    const s = symbol.toLowerCase();
    return [`${s}@trade`, ...klineIntervals.map((interval) => `${s}@kline_${interval}`)];
  });

/**
 * The URL of a combined stream of `streams` on `endpoint` (a `ws:` or `wss:` origin, or one ending in
 * `/stream`).
 *
 * @example
 * ```ts
 * combinedStreamUrl('wss://stream.binance.com:9443', ['btcusdt@trade', 'btcusdt@kline_1m']);
 * // 'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@kline_1m'
 * ```
 */
export const combinedStreamUrl = (endpoint: string, streams: readonly string[]): string => {
  const base = endpoint.replace(/\/+$/, '');
  return `${base.endsWith('/stream') ? base : `${base}/stream`}?streams=${streams.join('/')}`;
};
