/**
 * What the dashboard shows: the crypto pipeline's results, one value per window, as plain JSON objects.
 * Times are ms since the epoch. This module is pure (no Node, no DOM): the server and the page share it.
 */

/** The moving average of one symbol over one window `[windowStart, windowEnd)`. */
export interface AverageEvent {
  readonly type: 'average';
  readonly symbol: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Mean trade price in the window, in the quote asset (USDT for `BTCUSDT`). */
  readonly average_price: number;
  /** Trades in the window. */
  readonly count: number;
  /** Traded quantity in the window, in the base asset (BTC for `BTCUSDT`). */
  readonly volume: number;
}

/** An OHLCV candle of one symbol over `[start, end)`; `interval` is its length (`'1s'`, `'1m'`, …). */
export interface CandleEvent {
  readonly type: 'candle';
  readonly symbol: string;
  readonly interval: string;
  readonly start: number;
  readonly end: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One trade, when the feed has them: it moves the current price between candles. */
export interface TradeEvent {
  readonly type: 'trade';
  readonly symbol: string;
  readonly time: number;
  readonly price: number;
  readonly qty: number;
}

export type DashboardEvent = AverageEvent | CandleEvent | TradeEvent;

/**
 * When an event is known: the end of its window, or the trade's time. The dashboard's "now" is the latest
 * of these over every event seen, so a replay of the past shows its own time, not the wall clock.
 */
export const knownAt = (e: DashboardEvent): number =>
  e.type === 'average' ? e.windowEnd : e.type === 'candle' ? e.end : e.time;

/**
 * Where an event sits on the time axis, which is also what a history range selects on: a moving average at
 * its window's end (the average of the 30 s before), a candle at its start (as charts draw candles), a
 * trade at its time.
 */
export const plotTime = (e: DashboardEvent): number =>
  e.type === 'average' ? e.windowEnd : e.type === 'candle' ? e.start : e.time;

/**
 * The identity of the result an event carries: a later event with the same identity replaces it (a
 * pipeline emitting `updates` sends the same window again as it changes).
 */
export const identity = (e: DashboardEvent): string =>
  e.type === 'average'
    ? `a|${e.symbol}|${e.windowStart}|${e.windowEnd}`
    : e.type === 'candle'
      ? `c|${e.symbol}|${e.interval}|${e.start}`
      : `t|${e.symbol}|${e.time}|${e.price}|${e.qty}`;

const INTERVAL = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The length of a candle interval such as `'1s'`, `'15m'` or `'1d'` in ms; `undefined` if it is none. */
export const intervalMillis = (interval: string): number | undefined => {
  const m = INTERVAL.exec(interval);
  if (m === null) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : undefined;
};

/** Candle intervals ordered from the shortest; unknown ones last, by name. */
export const byLength = (a: string, b: string): number =>
  (intervalMillis(a) ?? Infinity) - (intervalMillis(b) ?? Infinity) || a.localeCompare(b);

/** The quote asset a symbol is priced in (`BTCUSDT` → `USDT`), for labelling prices. */
export const quoteAsset = (symbol: string): string | undefined =>
  QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length);

/** The base asset a symbol's volume is counted in (`BTCUSDT` → `BTC`). */
export const baseAsset = (symbol: string): string | undefined => {
  const quote = quoteAsset(symbol);
  return quote === undefined ? undefined : symbol.slice(0, -quote.length);
};

// Binance's common quote assets.
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'EUR', 'TRY', 'BTC', 'ETH', 'BNB'];

/** What a symbol may be: it appears in URLs, Flux queries and the page. */
export const SYMBOL = /^[A-Za-z0-9._-]{1,40}$/;
const SYMBOL_RULE = 'symbol must be 1 to 40 letters, digits, ".", "_" or "-"';

const FIELDS = {
  average: ['windowStart', 'windowEnd', 'average_price', 'count', 'volume'],
  candle: ['start', 'end', 'open', 'high', 'low', 'close', 'volume'],
  trade: ['time', 'price', 'qty'],
} as const;

/** Why a value is not a drawable {@link DashboardEvent}, or `undefined` when it is one. */
export const problemOf = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const e = value as Record<string, unknown>;
  const fields = FIELDS[e.type as keyof typeof FIELDS] as readonly string[] | undefined;
  if (fields === undefined)
    return `type must be 'average', 'candle' or 'trade', got ${JSON.stringify(e.type)}`;
  if (typeof e.symbol !== 'string' || !SYMBOL.test(e.symbol))
    return `${SYMBOL_RULE}, got ${JSON.stringify(e.symbol)}`;
  for (const field of fields) {
    if (typeof e[field] !== 'number' || !Number.isFinite(e[field])) {
      return `${field} must be a finite number, got ${String(e[field])}`;
    }
  }
  if (e.type === 'candle' && (typeof e.interval !== 'string' || intervalMillis(e.interval) === undefined)) {
    return `interval must be a duration such as '1s', '1m' or '1h', got ${JSON.stringify(e.interval)}`;
  }
  return undefined;
};
