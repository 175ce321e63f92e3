/**
 * What a Binance market-data message is, read from its JSON text: a trade or a kline (with what tells a
 * repeated one apart), or something else, by kind. A message is classified by the same rules as the lines of
 * a capture (`capture.ts`): the event type `data.e`, else the stream's name.
 */

/** A message the `produce` command publishes, or skips. */
export type BinanceMessage =
  | {
      readonly _tag: 'trade';
      /** The stream (`btcusdt@trade`), or `<symbol>@trade` for a bare event. */
      readonly stream: string;
      /** Upper case, as Binance writes `s` (`BTCUSDT`). */
      readonly symbol: string;
      /** Binance's trade id `t`, increasing by one per trade of a symbol; absent if not a safe integer. */
      readonly tradeId: number | undefined;
    }
  | {
      readonly _tag: 'kline';
      readonly stream: string;
      readonly symbol: string;
      /** The kline's start time `k.t`. */
      readonly start: number | undefined;
      /** `k.x`: the kline is final. */
      readonly closed: boolean;
      /** The event time `E`. */
      readonly eventTime: number | undefined;
    }
  /** Any other message: `kind` is its event type (`depthUpdate`), else its stream's (`bookTicker`). */
  | { readonly _tag: 'other'; readonly kind: string }
  /** Not a JSON object, or a trade or kline without a symbol. */
  | { readonly _tag: 'invalid'; readonly reason: string };

type Json = Record<string, unknown>;
const isObject = (u: unknown): u is Json => typeof u === 'object' && u !== null && !Array.isArray(u);
const safeInteger = (u: unknown): number | undefined =>
  typeof u === 'number' && Number.isSafeInteger(u) ? u : undefined;

const symbolOf = (data: Json | undefined, stream: string | undefined): string | undefined => {
  const s = data?.['s'];
  if (typeof s === 'string' && s !== '') return s.toUpperCase();
  const at = stream?.indexOf('@') ?? -1;
  return at > 0 ? stream!.slice(0, at).toUpperCase() : undefined;
};

/**
 * Classifies one message of Binance's websocket, given as its JSON text: the combined-stream envelope
 * `{"stream":"btcusdt@trade","data":{…}}` or a bare event. Never throws.
 *
 * @example
 * ```ts
 * classifyMessage('{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":3735683259}}');
 * // { _tag: 'trade', stream: 'btcusdt@trade', symbol: 'BTCUSDT', tradeId: 3735683259 }
 * classifyMessage('{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT"}}');
 * // { _tag: 'other', kind: 'bookTicker' }
 * ```
 */
export const classifyMessage = (text: string): BinanceMessage => {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (cause) {
    return { _tag: 'invalid', reason: `not valid JSON (${(cause as Error).message})` };
  }
  if (!isObject(message)) return { _tag: 'invalid', reason: 'not a JSON object' };

  const enveloped = typeof message['stream'] === 'string' || Object.hasOwn(message, 'data');
  const stream = typeof message['stream'] === 'string' ? message['stream'] : undefined;
  const data = enveloped ? (isObject(message['data']) ? message['data'] : undefined) : message;
  const event = typeof data?.['e'] === 'string' ? data['e'] : undefined;

  const isTrade =
    event === 'trade' || (enveloped && event === undefined && stream?.endsWith('@trade') === true);
  const isKline =
    event === 'kline' || (enveloped && event === undefined && stream?.includes('@kline_') === true);
  if (isTrade || isKline) {
    if (enveloped && !Object.hasOwn(message, 'data')) {
      return { _tag: 'invalid', reason: `a ${stream} message without "data"` };
    }
    const symbol = symbolOf(data, stream);
    if (symbol === undefined)
      return { _tag: 'invalid', reason: `a ${event ?? stream} message without a symbol` };
    if (isTrade) {
      return {
        _tag: 'trade',
        stream: stream ?? `${symbol.toLowerCase()}@trade`,
        symbol,
        tradeId: safeInteger(data?.['t']),
      };
    }
    const k = isObject(data?.['k']) ? data['k'] : undefined;
    const interval = typeof k?.['i'] === 'string' ? k['i'] : '';
    return {
      _tag: 'kline',
      stream: stream ?? `${symbol.toLowerCase()}@kline_${interval}`,
      symbol,
      start: safeInteger(k?.['t']),
      closed: k?.['x'] === true,
      eventTime: safeInteger(data?.['E']),
    };
  }
  const kind =
    event ??
    (stream !== undefined && stream.includes('@')
      ? stream.slice(stream.indexOf('@') + 1)
      : !enveloped && Object.hasOwn(message, 'lastUpdateId')
        ? 'depthSnapshot'
        : 'unknown');
  return { _tag: 'other', kind };
};
