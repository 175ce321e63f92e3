import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { json, NumberFromString } from '../../src/index.js';

/**
 * A price or quantity as Binance writes it: a plain decimal string (`"61837.63000000"`), read as the
 * double it denotes, which must be finite and greater than zero. A number given as JSON number, `""`,
 * `"abc"`, `"0x10"`, `" 1"`, `"Infinity"`, `"0"` and `"-1"` are all invalid.
 */
export const PositiveDecimal = new t.Type<number, string, unknown>(
  'PositiveDecimal',
  (u): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0,
  (u, c) => {
    const decoded = NumberFromString.validate(u, c);
    return E.isRight(decoded) && !(decoded.right > 0) ? t.failure(u, c) : decoded;
  },
  NumberFromString.encode,
);

/** A trade time: whole milliseconds since the epoch, not negative (Binance's `T`). */
export const EpochMillis = new t.Type<number, number, unknown>(
  'EpochMillis',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** A symbol: any non-empty string (`BTCUSDT`). */
const NonEmptyString = new t.Type<string, string, unknown>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/**
 * A Binance spot `<symbol>@trade` event, as the exchange sends it, with the fields the example uses
 * checked and decoded: `e`, when present, must be `"trade"`, `s` a non-empty string, `p` and `q` {@link PositiveDecimal}s, `T` an
 * {@link EpochMillis}. Other fields (`E`, `t`, `m`, `M`, and `b`/`a` in older captures) are kept as they
 * are and not checked.
 */
export const BinanceTrade = t.type(
  {
    /** Event type: `"trade"`, or missing when the stream name said it (`<symbol>@trade`). */
    e: t.union([t.literal('trade'), t.undefined]),
    /** Symbol, e.g. `BTCUSDT`. */
    s: NonEmptyString,
    /** Price. */
    p: PositiveDecimal,
    /** Quantity, in the base asset. */
    q: PositiveDecimal,
    /** Trade time: the event time of the pipeline. */
    T: EpochMillis,
  },
  'BinanceTrade',
);
export type BinanceTrade = t.TypeOf<typeof BinanceTrade>;

/** The serde of a trade event's JSON bytes (a log record's value); failures are `DecodeFailure`s. */
export const binanceTrade = json(BinanceTrade);

/**
 * A trade message as `produce` publishes it: Binance's combined-stream envelope
 * (`{"stream":"btcusdt@trade","data":{…}}`) around a {@link BinanceTrade}, or the bare event. Decodes to
 * the event; a failure inside the envelope names its path under `data`.
 */
export const BinanceTradeMessage = new t.Type<BinanceTrade, unknown, unknown>(
  'BinanceTradeMessage',
  BinanceTrade.is,
  (u, c) =>
    typeof u === 'object' && u !== null && !Array.isArray(u) && 'data' in u
      ? BinanceTrade.validate((u as { data: unknown }).data, t.appendContext(c, 'data', BinanceTrade, u))
      : BinanceTrade.validate(u, c),
  BinanceTrade.encode,
);

/** The serde of a published trade message (a Kafka record's value). */
export const binanceTradeMessage = json(BinanceTradeMessage);

/** A trade as the pipeline uses it. */
export interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
  /** Trade time, ms since the epoch. */
  readonly time: number;
}

/** The pipeline's view of a decoded trade event. */
export const toTrade = (raw: BinanceTrade): Trade => ({
  symbol: raw.s,
  price: raw.p,
  qty: raw.q,
  time: raw.T,
});

const encoder = new TextEncoder();

/** Decodes one trade event's JSON text; a bad one is a `Left` with the reason. */
export const decodeTrade = (text: string): E.Either<string, Trade> =>
  pipe(
    binanceTrade.deserialize(encoder.encode(text)),
    E.bimap((failure) => failure.message, toTrade),
  );
