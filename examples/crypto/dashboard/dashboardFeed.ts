import { Subject, type Observable } from 'rxjs';
import type { Candle, Sink, StreamRecord, WindowResult } from '../../../src/index.js';
import type { CandleEvent, DashboardEvent } from './DashboardEvent.js';

/** The events of an application's outputs, for {@link startDashboard}. */
export interface DashboardFeed {
  /** Every event the feed's sinks were given, as they are given; completes on `end()`. */
  readonly events: Observable<DashboardEvent>;
  /**
   * A sink for `app.to(stream, …)` that turns each output record into dashboard events (an event, a list,
   * or `undefined` for none). Its flush resolves at once: a page is a view, not a store, so the dashboard
   * never holds back a checkpoint.
   */
  sink<K, V>(
    toEvents: (record: StreamRecord<K, V>) => DashboardEvent | readonly DashboardEvent[] | undefined,
    name?: string,
  ): Sink<K, V>;
  /** Completes `events` (the dashboard shows the feed as ended). */
  end(): void;
}

/**
 * Connects an `Application`'s outputs to the dashboard: one feed, a sink per output stream.
 *
 * @example
 * ```ts
 * const feed = dashboardFeed();
 * app.to(candles, feed.sink((r) => ({ type: 'candle', symbol: r.key, interval: '1m',
 *   start: r.value.window.start, end: r.value.window.end, ...r.value.value })));
 * const dashboard = await startDashboard({ events: feed.events, history: inMemoryHistory() });
 * ```
 */
export function dashboardFeed(): DashboardFeed {
  const subject = new Subject<DashboardEvent>();
  return {
    events: subject.asObservable(),
    sink: (toEvents, name = 'dashboard') => ({
      name,
      write(records) {
        for (const record of records) {
          const events = toEvents(record);
          if (events === undefined) continue;
          if (Array.isArray(events)) for (const e of events as readonly DashboardEvent[]) subject.next(e);
          else subject.next(events as DashboardEvent);
        }
      },
      flush: () => Promise.resolve(),
    }),
    end: () => subject.complete(),
  };
}

/**
 * The dashboard's event of an `aggregators.ohlcv` window result.
 *
 * @example
 * ```ts
 * app.to(candles, feed.sink((r) => candleEvent(r.key, '1m', r.value)));
 * ```
 */
export const candleEvent = (symbol: string, interval: string, result: WindowResult<Candle>): CandleEvent => ({
  type: 'candle',
  symbol,
  interval,
  start: result.window.start,
  end: result.window.end,
  open: result.value.open,
  high: result.value.high,
  low: result.value.low,
  close: result.value.close,
  volume: result.value.volume,
});
