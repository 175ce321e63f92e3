import { Subject } from 'rxjs';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { CandleEvent } from '../../examples/crypto/dashboard/DashboardEvent.js';
import {
  inMemoryHistory,
  startDashboard,
  type Dashboard,
  type DashboardEvent,
  type DashboardLogger,
  type HistorySource,
} from '../../examples/crypto/dashboard/index.js';
import type { DashboardState, ServerMessage } from '../../examples/crypto/dashboard/protocol.js';
import { TributaryException } from '../../src/index.js';
import { waitFor } from '../integration/helpers.js';

const candle = (symbol: string, start: number, close = 100): CandleEvent => ({
  type: 'candle',
  symbol,
  interval: '1s',
  start,
  end: start + 1_000,
  open: 100,
  high: 101,
  low: 99,
  close,
  volume: 0.5,
});
const average = (symbol: string, windowEnd: number): DashboardEvent => ({
  type: 'average',
  symbol,
  windowStart: windowEnd - 30_000,
  windowEnd,
  average_price: 100.5,
  count: 3,
  volume: 1.5,
});
const T0 = Date.UTC(2024, 7, 8, 23, 55);

const running: Dashboard[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.close()));
});

async function start(
  events: Subject<DashboardEvent>,
  history: HistorySource = inMemoryHistory(),
  extra: { symbols?: string[]; logger?: DashboardLogger } = {},
): Promise<Dashboard> {
  const dashboard = await startDashboard({ port: 0, events, history, ...extra });
  running.push(dashboard);
  return dashboard;
}

const getJson = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
};

/** A page's socket: every message it received, in order. */
async function openSocket(dashboard: Dashboard): Promise<{ ws: WebSocket; received: ServerMessage[] }> {
  const ws = new WebSocket(new URL('ws', dashboard.url.replace('http', 'ws')));
  const received: ServerMessage[] = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data)) as ServerMessage));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, received };
}

describe('startDashboard', () => {
  test('serves the page and its assets', async () => {
    const dashboard = await start(new Subject());
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(dashboard.url);
    const html = await page.text();
    expect(html).toContain('<title>Crypto live dashboard · Tributary</title>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script!, dashboard.url));
    expect(await asset.text()).toContain('lightweight-charts');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test('the state names the symbols, their intervals, the latest result time and whether the feed ended', async () => {
    const events = new Subject<DashboardEvent>();
    const dashboard = await start(events, inMemoryHistory(), { symbols: ['SOLUSDT'] });
    const state = () => getJson<DashboardState>(new URL('api/state', dashboard.url).href);
    expect((await state()).body).toEqual({ symbols: { SOLUSDT: [] }, now: null, status: 'live' });

    events.next(candle('BTCUSDT', T0));
    events.next(average('ETHUSDT', T0 + 30_000));
    events.complete();
    expect((await state()).body).toEqual({
      symbols: { BTCUSDT: ['1s'], ETHUSDT: [], SOLUSDT: [] },
      now: T0 + 30_000,
      status: 'ended',
    });
  });

  test('history comes from the events the dashboard recorded, by symbol, range and interval', async () => {
    const events = new Subject<DashboardEvent>();
    const dashboard = await start(events);
    for (let s = 0; s < 60; s++) {
      events.next(candle('BTCUSDT', T0 + s * 1_000));
      events.next(candle('ETHUSDT', T0 + s * 1_000));
    }
    events.next(average('BTCUSDT', T0 + 30_000));
    const history = (query: string) =>
      getJson<{ events?: DashboardEvent[]; error?: string }>(
        new URL(`api/history?${query}`, dashboard.url).href,
      );

    const found = await history(`symbol=BTCUSDT&from=${T0 + 10_000}&to=${T0 + 30_000}&intervals=1s`);
    expect(found.status).toBe(200);
    expect(found.body.events).toHaveLength(21 + 1);
    expect(found.body.events!.every((e) => e.symbol === 'BTCUSDT')).toBe(true);
    expect((await history(`symbol=BTCUSDT&from=${T0}&to=${T0 + 60_000}&intervals=1m`)).body.events).toEqual([
      average('BTCUSDT', T0 + 30_000),
    ]);
  });

  test('a bad history request is answered 400 with what is wrong', async () => {
    const dashboard = await start(new Subject());
    const errorOf = async (query: string) => {
      const { status, body } = await getJson<{ error: string }>(
        new URL(`api/history?${query}`, dashboard.url).href,
      );
      return `${status} ${body.error}`;
    };
    expect(await errorOf('from=0&to=1')).toBe('400 symbol must be 1 to 40 letters, digits, ".", "_" or "-"');
    expect(await errorOf('symbol=BTC")%20or%20true&from=0&to=1')).toMatch(/^400 symbol must be/);
    expect(await errorOf('symbol=BTCUSDT&from=yesterday&to=1')).toBe(
      '400 from must be a whole number of ms since the epoch',
    );
    expect(await errorOf('symbol=BTCUSDT&from=5&to=1')).toBe('400 to must not be before from');
    expect(await errorOf(`symbol=BTCUSDT&from=0&to=${40 * 86_400_000}`)).toBe(
      '400 the range must not exceed 31 days',
    );
    expect(await errorOf('symbol=BTCUSDT&from=0&to=1&intervals=1m,weekly')).toMatch(/^400 intervals must be/);
  });

  test('a failing history is answered 502 with its reason, and logged', async () => {
    const logged: string[] = [];
    const logger: DashboardLogger = {
      info: () => undefined,
      warn: () => undefined,
      error: (fields, message) => logged.push(`${message} ${JSON.stringify(fields)}`),
    };
    const broken: HistorySource = {
      query: () => Promise.reject(new Error('connection refused')),
      extent: () => Promise.resolve({ symbols: {}, latest: undefined }),
    };
    const dashboard = await start(new Subject(), broken, { logger });
    const { status, body } = await getJson<{ error: string }>(
      new URL('api/history?symbol=BTCUSDT&from=0&to=1', dashboard.url).href,
    );
    expect([status, body.error]).toEqual([502, 'history unavailable: connection refused']);
    expect(logged).toEqual([
      'dashboard: history query failed {"err":"connection refused","symbol":"BTCUSDT"}',
    ]);
  });

  test("a page's socket gets the state, then after subscribing only its symbol's events, in batches", async () => {
    const events = new Subject<DashboardEvent>();
    const dashboard = await start(events, inMemoryHistory(), { symbols: ['BTCUSDT'] });
    const { ws, received } = await openSocket(dashboard);
    await waitFor(() => received.length >= 1, { what: 'the state' });
    expect(received[0]).toEqual({ type: 'state', symbols: { BTCUSDT: [] }, now: null, status: 'live' });

    ws.send(JSON.stringify({ type: 'subscribe', symbol: 'ETHUSDT' }));
    await waitFor(() => received.some((m) => m.type === 'subscribed'), { what: 'the subscription' });
    expect(received[1]).toEqual({ type: 'subscribed', symbol: 'ETHUSDT' });

    const batch = [candle('ETHUSDT', T0), candle('BTCUSDT', T0), average('ETHUSDT', T0 + 30_000)];
    for (const e of batch) events.next(e);
    await waitFor(() => received.some((m) => m.type === 'events'), { what: 'the events' });
    await waitFor(() => received.some((m) => m.type === 'state' && 'ETHUSDT' in m.symbols), {
      what: 'the new symbol',
    });
    expect(received.filter((m) => m.type === 'events')).toEqual([
      { type: 'events', events: [batch[0], batch[2]], now: T0 + 30_000 },
    ]);

    // Another symbol's result: this page hears only that time moved on.
    events.next(candle('BTCUSDT', T0 + 60_000));
    await waitFor(() => received.filter((m) => m.type === 'events').length === 2, { what: 'the new time' });
    expect(received.filter((m) => m.type === 'events')[1]).toEqual({
      type: 'events',
      events: [],
      now: T0 + 61_000,
    });

    events.complete();
    await waitFor(() => received.some((m) => m.type === 'state' && m.status === 'ended'), {
      what: 'the end of the feed',
    });
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    await dashboard.close();
    running.splice(running.indexOf(dashboard), 1);
    expect(await closed).toBe(1001);
  });

  test('an event that cannot be drawn is left out and logged; the feed goes on', async () => {
    const warnings: unknown[] = [];
    const logger: DashboardLogger = {
      info: () => undefined,
      warn: (fields) => warnings.push(fields),
      error: () => undefined,
    };
    const events = new Subject<DashboardEvent>();
    const history = inMemoryHistory();
    await start(events, history, { logger });
    events.next({ ...candle('BTCUSDT', T0), close: Number.NaN });
    events.next(candle('BTCUSDT', T0 + 1_000));
    expect(warnings).toEqual([{ problem: 'close must be a finite number, got NaN' }]);
    expect(await history.query('BTCUSDT', 0, Infinity)).toEqual([candle('BTCUSDT', T0 + 1_000)]);
  });

  test('a failed feed is reported to the pages with its reason', async () => {
    const events = new Subject<DashboardEvent>();
    const dashboard = await start(events);
    events.error(new Error('broker unreachable'));
    const { body } = await getJson<DashboardState>(new URL('api/state', dashboard.url).href);
    expect(body).toMatchObject({ status: 'failed', error: 'broker unreachable' });
  });

  test('bad options fail at once, naming the option', async () => {
    const attempt = (options: { port?: number; symbols?: string[] }) =>
      startDashboard({ events: new Subject(), history: inMemoryHistory(), ...options });
    await expect(attempt({ port: 70_000 })).rejects.toThrow(
      new TributaryException({
        _tag: 'TributaryError',
        code: 'CONFIG_INVALID',
        message: 'invalid configuration: port must be a TCP port (0-65535), got 70000',
        retriable: false,
        field: 'port',
      }),
    );
    await expect(attempt({ port: 0, symbols: ['BTC USDT'] })).rejects.toThrow(
      'invalid configuration: symbols has an invalid symbol "BTC USDT"',
    );
  });
});
