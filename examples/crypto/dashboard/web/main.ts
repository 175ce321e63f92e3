import './style.css';
import {
  baseAsset,
  byLength,
  identity,
  intervalMillis,
  quoteAsset,
  type AverageEvent,
  type CandleEvent,
  type DashboardEvent,
  type TradeEvent,
} from '../DashboardEvent.js';
import type { ClientMessage, DashboardState, HistoryResponse, ServerMessage } from '../protocol.js';
import { PriceChart } from './chart.js';
import { formatChange, formatPrice, formatQuantity, formatUtc } from './format.js';
import { averageLine, defaultInterval, summarize } from './summary.js';

const RANGES: Readonly<Record<string, string>> = { 900000: '15 min', 3600000: '1 h', 86400000: '24 h' };
/** Results older than the longest range (and a margin) before "now" are let go. */
const KEEP_MS = 25 * 3_600_000;

const $ = <T extends HTMLElement>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (element === null) throw new Error(`the page lacks ${selector}`);
  return element;
};
const ui = {
  status: $<HTMLElement>('#status'),
  symbol: $<HTMLSelectElement>('#symbol'),
  ranges: $<HTMLElement>('#ranges'),
  intervals: $<HTMLElement>('#intervals'),
  chartSymbol: $<HTMLElement>('#chart-symbol'),
  chartUnit: $<HTMLElement>('#chart-unit'),
  legendCandles: $<HTMLElement>('[data-testid="legend-candles"]'),
  legendAverage: $<HTMLElement>('[data-testid="legend-average"]'),
  follow: $<HTMLButtonElement>('#follow'),
  chart: $<HTMLElement>('#chart'),
  empty: $<HTMLElement>('#chart-empty'),
  rangeLabel: $<HTMLElement>('#range-label'),
  current: $<HTMLElement>('[data-testid="current"]'),
  change: $<HTMLElement>('[data-testid="change"]'),
  min: $<HTMLElement>('[data-testid="min"]'),
  max: $<HTMLElement>('[data-testid="max"]'),
  volume: $<HTMLElement>('[data-testid="volume"]'),
  now: $<HTMLElement>('[data-testid="now"]'),
  basis: $<HTMLElement>('[data-testid="basis"]'),
};

// ----- what the page holds --------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const view = {
  symbol: params.get('symbol') ?? undefined,
  rangeMs: Number(params.get('range')) in RANGES ? Number(params.get('range')) : 900_000,
  interval: params.get('interval') ?? undefined,
  /** Whether the reader picked the interval (else it follows the range's default). */
  intervalPicked: params.has('interval'),
  /** Whether the chart fits the range on every update (until the reader zooms or scrolls). */
  following: true,
};
let state: DashboardState = { symbols: {}, now: null, status: 'live' };
let now: number | undefined;
let connection: 'connecting' | 'open' | 'reconnecting' = 'connecting';

const held = {
  averages: new Map<string, AverageEvent>(),
  candles: new Map<string, Map<number, CandleEvent>>(),
  lastTrade: undefined as TradeEvent | undefined,
  clear() {
    this.averages.clear();
    this.candles.clear();
    this.lastTrade = undefined;
  },
};

function take(events: readonly DashboardEvent[]): void {
  for (const e of events) {
    if (e.symbol !== view.symbol) continue;
    if (e.type === 'average') held.averages.set(identity(e), e);
    else if (e.type === 'candle') {
      let series = held.candles.get(e.interval);
      if (series === undefined) held.candles.set(e.interval, (series = new Map()));
      series.set(e.start, e);
    } else if (held.lastTrade === undefined || e.time >= held.lastTrade.time) held.lastTrade = e;
  }
}

function letGoOfOld(): void {
  if (now === undefined) return;
  const oldest = now - KEEP_MS;
  for (const [key, a] of held.averages) if (a.windowEnd < oldest) held.averages.delete(key);
  for (const series of held.candles.values()) {
    for (const [start] of series) if (start < oldest) series.delete(start);
  }
}

// ----- drawing ----------------------------------------------------------------------------------------

const chart = new PriceChart(ui.chart);
let frame: number | undefined;
function render(): void {
  frame ??= requestAnimationFrame(() => {
    frame = undefined;
    draw();
  });
}

function draw(): void {
  const symbol = view.symbol;
  const interval = view.interval;
  const intervalMs = interval === undefined ? undefined : intervalMillis(interval);
  const quote = symbol === undefined ? undefined : quoteAsset(symbol);
  const base = symbol === undefined ? undefined : baseAsset(symbol);
  ui.chartSymbol.textContent = symbol ?? '—';
  ui.chartUnit.textContent = quote === undefined ? 'price' : `price in ${quote}`;
  ui.rangeLabel.textContent = RANGES[view.rangeMs] ?? '';
  ui.now.textContent = now === undefined ? '—' : formatUtc(now);
  ui.now.setAttribute('datetime', now === undefined ? '' : new Date(now).toISOString());

  const to = now ?? 0;
  const from = to - view.rangeMs;
  const candles = [...(held.candles.get(interval ?? '')?.values() ?? [])]
    .filter((c) => c.start >= from && c.start <= to)
    .sort((a, b) => a.start - b.start);
  const average = intervalMs === undefined ? [] : averageLine(held.averages.values(), intervalMs, from, to);
  chart.show(candles, average);
  if (view.following) chart.fit();
  ui.empty.hidden = candles.length > 0 || average.length > 0;

  const counts = chart.counts();
  const anAverage = held.averages.values().next().value;
  const averageName = anAverage
    ? `${(anAverage.windowEnd - anAverage.windowStart) / 1000} s moving average`
    : 'moving average';
  ui.legendCandles.textContent = `${interval ?? '—'} candles: ${counts.candles}`;
  ui.legendCandles.dataset.count = String(counts.candles);
  ui.legendAverage.textContent = `${averageName}: ${counts.average} points`;
  ui.legendAverage.dataset.count = String(counts.average);

  const s = summarize(candles, from, to, held.lastTrade);
  const price = (n: number | undefined) =>
    n === undefined ? '—' : `${formatPrice(n)} ${quote ?? ''}`.trim();
  ui.current.textContent = price(s.current);
  ui.min.textContent = price(s.min);
  ui.max.textContent = price(s.max);
  ui.change.textContent =
    s.change === undefined || s.changePercent === undefined
      ? '—'
      : formatChange(s.change, s.changePercent, s.current ?? s.change, quote);
  ui.volume.textContent = s.volume === undefined ? '—' : `${formatQuantity(s.volume)} ${base ?? ''}`.trim();
  for (const dd of [ui.current, ui.min, ui.max, ui.change, ui.volume]) unitsApart(dd);
  ui.change.dataset.sign = s.change === undefined || s.change === 0 ? '' : s.change > 0 ? 'up' : 'down';
  ui.basis.textContent =
    historyError !== undefined
      ? `History unavailable (${historyError}): showing only what arrived live.`
      : s.candles === 0
        ? 'No candle in the range yet.'
        : `Over the ${s.candles} ${interval} candles starting from ${formatUtc(from)} to ${formatUtc(to)} UTC.`;
}

/** Sets a value's unit (`USDT`, `BTC`, `(−0.38 %)`) in smaller type; the text stays the same. */
function unitsApart(dd: HTMLElement): void {
  const text = dd.textContent ?? '';
  const at = text.indexOf(' ');
  if (at < 0) return;
  const unit = document.createElement('span');
  unit.className = 'unit';
  unit.textContent = text.slice(at);
  dd.replaceChildren(text.slice(0, at), unit);
}

function drawStatus(): void {
  const [status, text] =
    connection === 'reconnecting'
      ? ['reconnecting', 'Reconnecting…']
      : connection === 'connecting' || (view.symbol !== undefined && subscribedTo !== view.symbol)
        ? ['connecting', 'Connecting…']
        : state.status === 'live'
          ? ['live', 'Live']
          : state.status === 'ended'
            ? ['ended', 'Feed ended: showing its results']
            : ['failed', `Feed failed: ${state.error ?? 'unknown error'}`];
  ui.status.dataset.status = status;
  ui.status.textContent = text;
}

function drawPickers(): void {
  const symbols = Object.keys(state.symbols).sort();
  if (
    ui.symbol.options.length !== symbols.length ||
    symbols.some((s, i) => ui.symbol.options[i]?.value !== s)
  ) {
    ui.symbol.replaceChildren(...symbols.map((s) => new Option(s, s)));
  }
  if (view.symbol !== undefined) ui.symbol.value = view.symbol;
  for (const button of ui.ranges.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(Number(button.dataset.range) === view.rangeMs));
  }
  const intervals = [...(state.symbols[view.symbol ?? ''] ?? [])].sort(byLength);
  const current = [...ui.intervals.querySelectorAll('button')].map((b) => b.dataset.interval);
  if (current.join() !== intervals.join()) {
    ui.intervals.replaceChildren(
      ...intervals.map((interval) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.interval = interval;
        button.textContent = interval;
        return button;
      }),
    );
  }
  for (const button of ui.intervals.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.interval === view.interval));
  }
}

function syncUrl(): void {
  const url = new URL(location.href);
  if (view.symbol !== undefined) url.searchParams.set('symbol', view.symbol);
  url.searchParams.set('range', String(view.rangeMs));
  if (view.intervalPicked && view.interval !== undefined) url.searchParams.set('interval', view.interval);
  else url.searchParams.delete('interval');
  history.replaceState(null, '', url);
}

// ----- choices ------------------------------------------------------------------------------------------

/** Keeps the view on a symbol and an interval that exist; says whether either changed. */
function settleChoices(): { symbolChanged: boolean; intervalChanged: boolean } {
  const symbols = Object.keys(state.symbols).sort();
  const symbol =
    view.symbol !== undefined && (view.symbol in state.symbols || symbols.length === 0)
      ? view.symbol
      : symbols[0];
  const symbolChanged = symbol !== view.symbol;
  view.symbol = symbol;
  const available = state.symbols[symbol ?? ''] ?? [];
  const interval =
    view.intervalPicked && view.interval !== undefined && available.includes(view.interval)
      ? view.interval
      : defaultInterval(available, view.rangeMs);
  const intervalChanged = interval !== view.interval;
  view.interval = interval;
  return { symbolChanged, intervalChanged };
}

ui.symbol.addEventListener('change', () => {
  view.symbol = ui.symbol.value;
  view.following = true;
  held.clear();
  settleChoices();
  afterChoice();
  subscribe();
  drawStatus();
});
ui.ranges.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest('button');
  if (button?.dataset.range === undefined) return;
  view.rangeMs = Number(button.dataset.range);
  view.following = true;
  settleChoices();
  afterChoice();
  void loadHistory();
});
ui.intervals.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest('button');
  if (button?.dataset.interval === undefined) return;
  view.interval = button.dataset.interval;
  view.intervalPicked = true;
  view.following = true;
  afterChoice();
  void loadHistory();
});
function afterChoice(): void {
  ui.follow.hidden = view.following;
  drawPickers();
  syncUrl();
  render();
}

// Zooming or scrolling the chart stops it from fitting the range on every update.
for (const type of ['wheel', 'pointerdown', 'touchstart'] as const) {
  ui.chart.addEventListener(
    type,
    () => {
      view.following = false;
      ui.follow.hidden = false;
    },
    { passive: true },
  );
}
ui.follow.addEventListener('click', () => {
  view.following = true;
  ui.follow.hidden = true;
  render();
});

// ----- the server -----------------------------------------------------------------------------------------

let historyRequest = 0;
/** Why the last history read failed, until one succeeds. */
let historyError: string | undefined;
/** Reads the view's range from the server's history; a reply to an older request is dropped. */
async function loadHistory(): Promise<void> {
  const { symbol, interval } = view;
  if (symbol === undefined || now === undefined) return;
  const request = ++historyRequest;
  const query = new URLSearchParams({ symbol, from: String(now - view.rangeMs), to: String(now) });
  if (interval !== undefined) query.set('intervals', interval);
  try {
    const response = await fetch(`api/history?${query}`);
    const body = (await response.json()) as HistoryResponse | { error: string };
    if (request !== historyRequest || symbol !== view.symbol) return;
    if ('error' in body) throw new Error(body.error);
    historyError = undefined;
    take(body.events);
  } catch (error) {
    if (request !== historyRequest) return;
    historyError = error instanceof Error ? error.message : String(error);
  }
  render();
}

let socket: WebSocket | undefined;
/** The symbol whose results the socket carries (the server confirmed it). */
let subscribedTo: string | undefined;
let retryMs = 500;
function subscribe(): void {
  if (socket?.readyState === WebSocket.OPEN && view.symbol !== undefined) {
    socket.send(JSON.stringify({ type: 'subscribe', symbol: view.symbol } satisfies ClientMessage));
  }
}

function connect(): void {
  const url = new URL('ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener('open', () => {
    connection = 'open';
    subscribedTo = undefined;
    retryMs = 500;
    subscribe();
    drawStatus();
  });
  ws.addEventListener('message', (event: MessageEvent<string>) => {
    const msg = JSON.parse(event.data) as ServerMessage;
    if (msg.type === 'state') {
      state = msg;
      const first = now === undefined && msg.now !== null;
      if (msg.now !== null) now = Math.max(now ?? -Infinity, msg.now);
      const { symbolChanged, intervalChanged } = settleChoices();
      if (symbolChanged) {
        held.clear();
        subscribe();
      } else if (intervalChanged || first) void loadHistory();
      drawStatus();
      drawPickers();
      syncUrl();
      render();
    } else if (msg.type === 'subscribed') {
      subscribedTo = msg.symbol;
      drawStatus();
      if (msg.symbol === view.symbol) void loadHistory();
    } else {
      if (msg.now !== null) now = Math.max(now ?? -Infinity, msg.now);
      take(msg.events);
      letGoOfOld();
      render();
    }
  });
  ws.addEventListener('close', () => {
    if (socket !== ws) return;
    connection = 'reconnecting';
    drawStatus();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5_000);
  });
}

drawPickers();
drawStatus();
render();
connect();
