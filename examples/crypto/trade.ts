import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';

/** A Binance spot `<symbol>@trade` event, as the exchange sends it (prices and quantities as strings). */
export const BinanceTrade = t.type({
  e: t.literal('trade'),
  /** Symbol, e.g. `BTCUSDT`. */
  s: t.string,
  /** Trade id. */
  t: t.number,
  /** Price. */
  p: t.string,
  /** Quantity, in the base asset. */
  q: t.string,
  /** Trade time, ms since the epoch: the event time of the pipeline. */
  T: t.number,
  /** Buyer is the maker, i.e. the aggressor sold. */
  m: t.boolean,
});
export type BinanceTrade = t.TypeOf<typeof BinanceTrade>;

/** A trade as the pipeline uses it. */
export interface Trade {
  readonly symbol: string;
  readonly id: number;
  readonly price: number;
  readonly qty: number;
  readonly time: number;
}

const decimal = (field: string, text: string): E.Either<string, number> => {
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? E.right(n) : E.left(`${field}: not a non-negative decimal: ${text}`);
};

/** Decodes one JSON line of a Binance trade stream; a bad line is a `Left` with the reason. */
export const decodeTrade = (line: string): E.Either<string, Trade> =>
  pipe(
    E.tryCatch(
      () => JSON.parse(line) as unknown,
      (e) => `not JSON: ${(e as Error).message}`,
    ),
    E.chain((json) =>
      pipe(
        BinanceTrade.decode(json),
        E.mapLeft((errors) => PathReporter.report(E.left(errors)).join('; ')),
      ),
    ),
    E.chain((raw) =>
      pipe(
        E.Do,
        E.bind('price', () => decimal('p', raw.p)),
        E.bind('qty', () => decimal('q', raw.q)),
        E.map(({ price, qty }) => ({ symbol: raw.s, id: raw.t, price, qty, time: raw.T })),
      ),
    ),
  );
