import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify from 'fastify';
import { from, type Observable, type Subscription } from 'rxjs';
import type { WebSocket } from 'ws';
import { configError, TributaryException } from '../../../src/index.js';
import { dashboardAssets } from './buildDashboard.js';
import { byLength, knownAt, problemOf, SYMBOL, type DashboardEvent } from './DashboardEvent.js';
import { isRecording, type HistorySource } from './HistorySource.js';
import type {
  ClientMessage,
  DashboardState,
  ErrorResponse,
  FeedStatus,
  HistoryResponse,
  ServerMessage,
} from './protocol.js';

/** What the dashboard logs: a bad event, a failed history query, the feed's end. */
export interface DashboardLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The results to show as they are produced; the dashboard subscribes once. */
  readonly events: AsyncIterable<DashboardEvent> | Observable<DashboardEvent>;
  /**
   * Past results for the ranges. A history with `add` ({@link inMemoryHistory}) is filled with every
   * event of `events`; an {@link influxHistory} is read only (the pipeline writes InfluxDB).
   */
  readonly history: HistorySource;
  /** Default 8080; 0 picks a free port (see the returned `url`). */
  readonly port?: number;
  /** Default `'127.0.0.1'`: only this machine. `'0.0.0.0'` serves the network (a phone on the LAN). */
  readonly host?: string;
  /** Symbols to offer before their first result arrives. */
  readonly symbols?: readonly string[];
  readonly logger?: DashboardLogger;
}

/** A running dashboard. */
export interface Dashboard {
  /** Where the page is, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** Stops listening, closes the pages' sockets and stops reading `events`. */
  close(): Promise<void>;
}

/** A page's socket whose unsent data passes this is closed; the page reconnects and reloads history. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** The longest range the page may ask for at once. */
const MAX_RANGE_MS = 31 * 86_400_000;

const SILENT: DashboardLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Serves the live dashboard: a page with a candle chart and the moving average per symbol, fed over a
 * WebSocket as `events` arrive, with its ranges filled from `history`. The page is built with Vite on the
 * first start after its sources change (cached under `node_modules/.cache`).
 *
 * @example
 * ```ts
 * const history = inMemoryHistory();
 * const dashboard = await startDashboard({ port: 8080, events: results$, history });
 * console.log(`dashboard at ${dashboard.url}`);
 * // … on shutdown
 * await dashboard.close();
 * ```
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TributaryException(configError('port', `must be a TCP port (0-65535), got ${String(port)}`));
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') {
    throw new TributaryException(configError('host', 'must be a non-empty host name or address'));
  }
  for (const symbol of options.symbols ?? []) {
    if (!SYMBOL.test(symbol)) {
      throw new TributaryException(configError('symbols', `has an invalid symbol ${JSON.stringify(symbol)}`));
    }
  }
  const { history } = options;
  const logger = options.logger ?? SILENT;
  const assets = await dashboardAssets();

  // What the live feed taught us, merged with the history's extent when a page asks.
  const intervals = new Map<string, Set<string>>((options.symbols ?? []).map((s) => [s, new Set()]));
  let now: number | undefined;
  let status: FeedStatus = 'live';
  let failure: string | undefined;
  /** Each page's socket: the symbol it follows and the "now" it was last told. */
  const pages = new Map<WebSocket, { symbol?: string; now?: number | undefined }>();

  const state = async (): Promise<DashboardState> => {
    const extent = await history.extent().catch((error: unknown) => {
      logger.warn({ err: message(error) }, 'dashboard: the history cannot tell its extent');
      return { symbols: {}, latest: undefined };
    });
    const symbols: Record<string, string[]> = {};
    const add = (symbol: string, list: Iterable<string>) => {
      symbols[symbol] = [...new Set([...(symbols[symbol] ?? []), ...list])].sort(byLength);
    };
    for (const [symbol, list] of Object.entries(extent.symbols)) add(symbol, list);
    for (const [symbol, set] of intervals) add(symbol, set);
    const latest = Math.max(extent.latest ?? -Infinity, now ?? -Infinity);
    return {
      symbols,
      now: Number.isFinite(latest) ? latest : null,
      status,
      ...(failure === undefined ? {} : { error: failure }),
    };
  };

  const send = (socket: WebSocket, msg: ServerMessage) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, 'the page cannot keep up; reload');
      return;
    }
    socket.send(JSON.stringify(msg));
  };
  const broadcastState = () =>
    void state().then((s) => {
      for (const socket of pages.keys()) send(socket, { type: 'state', ...s });
    });

  // Events that arrive together (a replayed batch) go out as one message per page.
  let pending: DashboardEvent[] = [];
  let scheduled = false;
  let symbolsChanged = false;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (symbolsChanged) {
      symbolsChanged = false;
      broadcastState();
    }
    for (const [socket, page] of pages) {
      if (page.symbol === undefined) continue;
      const events = batch.filter((e) => e.symbol === page.symbol);
      // A page on a quiet symbol still hears that time moved on, so its range follows.
      if (events.length > 0 || page.now !== now) {
        page.now = now;
        send(socket, { type: 'events', events, now: now ?? null });
      }
    }
  };
  const receive = (event: DashboardEvent) => {
    const problem = problemOf(event);
    if (problem !== undefined) {
      logger.warn({ problem }, 'dashboard: an event that cannot be drawn was left out');
      return;
    }
    if (isRecording(history)) history.add(event);
    now = Math.max(now ?? -Infinity, knownAt(event));
    let known = intervals.get(event.symbol);
    if (known === undefined) {
      known = new Set();
      intervals.set(event.symbol, known);
      symbolsChanged = true;
    }
    if (event.type === 'candle' && !known.has(event.interval)) {
      known.add(event.interval);
      symbolsChanged = true;
    }
    pending.push(event);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  // A view: stopping it does not wait for slow pages' requests.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(fastifyStatic, {
    root: assets,
    index: 'index.html',
    cacheControl: false,
    // Asset names carry their content hash; the page names the current ones, so it is always revalidated.
    setHeaders: (reply, path) =>
      reply.header(
        'cache-control',
        path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      ),
  });

  app.get('/api/state', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send(await state()),
  );

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/history', async (request, reply) => {
    const query = parseHistoryQuery(request.query);
    if ('error' in query) return reply.code(400).send(query satisfies ErrorResponse);
    try {
      const events = await history.query(query.symbol, query.from, query.to, {
        ...(query.intervals === undefined ? {} : { intervals: query.intervals }),
      });
      return reply.header('cache-control', 'no-store').send({ events } satisfies HistoryResponse);
    } catch (error) {
      logger.error({ err: message(error), symbol: query.symbol }, 'dashboard: history query failed');
      return reply
        .code(502)
        .send({ error: `history unavailable: ${message(error)}` } satisfies ErrorResponse);
    }
  });

  app.get('/ws', { websocket: true }, (socket) => {
    const page: { symbol?: string; now?: number | undefined } = {};
    pages.set(socket, page);
    socket.on('close', () => pages.delete(socket));
    socket.on('message', (data) => {
      let msg: ClientMessage;
      try {
        msg = JSON.parse(String(data)) as ClientMessage;
      } catch {
        return;
      }
      if (msg?.type === 'subscribe' && typeof msg.symbol === 'string' && SYMBOL.test(msg.symbol)) {
        page.symbol = msg.symbol;
        send(socket, { type: 'subscribed', symbol: msg.symbol });
      }
    });
    void state().then((s) => send(socket, { type: 'state', ...s }));
  });

  const address = await app.listen({ port, host });
  const subscription: Subscription = from(options.events).subscribe({
    next: receive,
    error: (error: unknown) => {
      status = 'failed';
      failure = message(error);
      logger.error({ err: failure }, 'dashboard: the event feed failed');
      broadcastState();
    },
    complete: () => {
      status = 'ended';
      logger.info({}, 'dashboard: the event feed ended');
      // After the last batch, so a page sees every result before it is told the feed ended.
      setImmediate(broadcastState);
    },
  });

  return {
    url: `${address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]')}/`,
    async close() {
      subscription.unsubscribe();
      for (const socket of pages.keys()) socket.close(1001, 'the dashboard stopped');
      await app.close();
    },
  };
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

type HistoryQuery =
  | { readonly symbol: string; readonly from: number; readonly to: number; readonly intervals?: string[] }
  | ErrorResponse;

/** Checks `/api/history`'s parameters; the error names the bad one. */
export function parseHistoryQuery(query: Record<string, string | undefined>): HistoryQuery {
  const { symbol } = query;
  if (symbol === undefined || !SYMBOL.test(symbol)) {
    return { error: 'symbol must be 1 to 40 letters, digits, ".", "_" or "-"' };
  }
  const time = (name: 'from' | 'to') => {
    const raw = query[name];
    const ms = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
    return Number.isSafeInteger(ms) ? ms : undefined;
  };
  const from = time('from');
  if (from === undefined) return { error: 'from must be a whole number of ms since the epoch' };
  const to = time('to');
  if (to === undefined) return { error: 'to must be a whole number of ms since the epoch' };
  if (to < from) return { error: 'to must not be before from' };
  if (to - from > MAX_RANGE_MS) return { error: 'the range must not exceed 31 days' };
  if (query.intervals === undefined) return { symbol, from, to };
  const intervals = query.intervals.split(',').filter((i) => i !== '');
  if (intervals.some((i) => !/^\d{1,6}(ms|s|m|h|d)$/.test(i))) {
    return { error: "intervals must be durations such as '1s' or '1m', separated by commas" };
  }
  return { symbol, from, to, intervals };
}
