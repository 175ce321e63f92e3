/**
 * What the dashboard's server and page say to each other, as JSON. Pure types: both sides import them.
 *
 *   GET /api/state                                        → DashboardState
 *   GET /api/history?symbol=S&from=ms&to=ms[&intervals=1s,1m] → HistoryResponse (400/502: ErrorResponse)
 *   WebSocket /ws: the server sends ServerMessage; the page sends ClientMessage
 */
import type { DashboardEvent } from './DashboardEvent.js';

/** `live`: results still arrive; `ended`: the feed completed (a replay finished); `failed`: it errored. */
export type FeedStatus = 'live' | 'ended' | 'failed';

export interface DashboardState {
  /** Symbol → candle intervals known for it, shortest first. */
  readonly symbols: Readonly<Record<string, readonly string[]>>;
  /** The latest time of any result (ms); the page's ranges end here. `null` before the first result. */
  readonly now: number | null;
  readonly status: FeedStatus;
  /** Why the feed failed, when it did. */
  readonly error?: string;
}

export interface HistoryResponse {
  readonly events: readonly DashboardEvent[];
}

export interface ErrorResponse {
  readonly error: string;
}

export type ServerMessage =
  | ({ readonly type: 'state' } & DashboardState)
  | {
      readonly type: 'events';
      /** The subscribed symbol's new results, in the order the pipeline produced them. */
      readonly events: readonly DashboardEvent[];
      readonly now: number | null;
    }
  /** The socket now carries this symbol's results: a history read from here on misses none. */
  | { readonly type: 'subscribed'; readonly symbol: string };

/** Which symbol's results the page wants over the socket (none until it says). */
export type ClientMessage = { readonly type: 'subscribe'; readonly symbol: string };
