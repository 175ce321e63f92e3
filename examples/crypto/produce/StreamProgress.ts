import type { BinanceMessage } from './binanceMessage.js';

type Trade = Extract<BinanceMessage, { _tag: 'trade' }>;
type Kline = Extract<BinanceMessage, { _tag: 'kline' }>;

/** What {@link StreamProgress.check} says of a message. */
export interface Verdict {
  /** Already published (or older than what was): drop it. */
  readonly duplicate: boolean;
  /** Trades of the stream that never came: the trade ids skipped since the last one published. */
  readonly missedTrades: number;
}

interface KlineProgress {
  /** Start and event time of the last kline update published. */
  start: number;
  eventTime: number | undefined;
  /** Start of the last final kline published. */
  closedStart: number | undefined;
}

const FRESH: Verdict = { duplicate: false, missedTrades: 0 };
const DUPLICATE: Verdict = { duplicate: true, missedTrades: 0 };

/**
 * How far each stream has been published, so that a message that two connections both delivered (while
 * one replaces the other) is published once, and a gap in a stream's trades is seen.
 *
 * - A trade is a duplicate when its trade id is not above the last one published on its stream (Binance's
 *   trade ids go up by one per trade of a symbol, in order on a connection).
 * - A final kline (`k.x`) is a duplicate when a final kline with the same or a later start was published.
 * - An open kline update is a duplicate when its kline is already final, or it is not after the last
 *   update published: an earlier start, or the same start and an event time `E` not above it.
 *
 * Messages without these fields are never duplicates.
 *
 * @example
 * ```ts
 * const progress = new StreamProgress();
 * progress.check(trade(41)); // { duplicate: false, missedTrades: 0 }
 * progress.check(trade(41)); // { duplicate: true, missedTrades: 0 }
 * progress.check(trade(45)); // { duplicate: false, missedTrades: 3 }
 * ```
 */
export class StreamProgress {
  private readonly trades = new Map<string, number>();
  private readonly klines = new Map<string, KlineProgress>();

  check(message: Trade | Kline): Verdict {
    return message._tag === 'trade' ? this.checkTrade(message) : this.checkKline(message);
  }

  private checkTrade({ stream, tradeId }: Trade): Verdict {
    if (tradeId === undefined) return FRESH;
    const last = this.trades.get(stream);
    if (last !== undefined && tradeId <= last) return DUPLICATE;
    this.trades.set(stream, tradeId);
    return last === undefined || tradeId === last + 1
      ? FRESH
      : { duplicate: false, missedTrades: tradeId - last - 1 };
  }

  private checkKline({ stream, start, closed, eventTime }: Kline): Verdict {
    if (start === undefined) return FRESH;
    const last = this.klines.get(stream);
    if (last === undefined) {
      this.klines.set(stream, { start, eventTime, closedStart: closed ? start : undefined });
      return FRESH;
    }
    if (last.closedStart !== undefined && start <= last.closedStart) return DUPLICATE;
    if (!closed) {
      if (start < last.start) return DUPLICATE;
      const sameOrOlder =
        start === last.start &&
        eventTime !== undefined &&
        last.eventTime !== undefined &&
        eventTime <= last.eventTime;
      if (sameOrOlder) return DUPLICATE;
    }
    if (closed) last.closedStart = start;
    if (start >= last.start) {
      last.start = start;
      last.eventTime = eventTime;
    }
    return FRESH;
  }
}
