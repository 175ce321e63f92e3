/**
 * The dashboard end to end: the bundled Binance trades replayed through a pipeline of the library, served
 * by `startDashboard`, read in headless Chromium the way a person reads it. Screenshots land in
 * test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { Subject, tap } from 'rxjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CandleEvent, DashboardEvent } from '../../examples/crypto/dashboard/DashboardEvent.js';
import {
  inMemoryHistory,
  knownAt,
  startDashboard,
  type Dashboard,
} from '../../examples/crypto/dashboard/index.js';
import { readTrades, replay } from '../../examples/crypto/dashboard/replay.js';
import type { Trade } from '../../examples/crypto/trade.js';
import { launchChromium } from './chromium.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const MINUTE = 60_000;

let browser: Browser;
let dashboard: Dashboard;
const trades$ = new Subject<readonly Trade[]>();
/** Every result the pipeline produced, in order: what the page must show. */
const produced: DashboardEvent[] = [];
let trades: Trade[];

beforeAll(async () => {
  trades = await readTrades();
  dashboard = await startDashboard({
    port: 0,
    events: replay(trades$).pipe(tap((e) => produced.push(e))),
    history: inMemoryHistory(),
    symbols: ['BTCUSDT', 'ETHUSDT'],
  });
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

/** Feeds trades in batches of 500, as a log would deliver them. */
function feed(batch: readonly Trade[]): void {
  for (let i = 0; i < batch.length; i += 500) trades$.next(batch.slice(i, i + 500));
}

const text = async (page: Page, id: string) =>
  ((await page.textContent(`[data-testid="${id}"]`)) ?? '').trim();
const count = async (page: Page, id: string) =>
  Number(await page.getAttribute(`[data-testid="${id}"]`, 'data-count'));

// The page's display conventions (en-US, UTC), written out here apart from the page's code.
const usd = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const qty = new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${usd.format(Math.abs(n))}`;

/** The side panel as it should read, computed from the pipeline's own results. */
function expectedPanel(symbol: string, interval: string, rangeMs: number) {
  const now = Math.max(...produced.map(knownAt));
  const candles = produced
    .filter((e): e is CandleEvent => e.type === 'candle' && e.symbol === symbol && e.interval === interval)
    .filter((c) => c.start >= now - rangeMs && c.start <= now)
    .sort((a, b) => a.start - b.start);
  const first = candles[0]!;
  const last = candles[candles.length - 1]!;
  const change = last.close - first.open;
  const base = symbol.replace(/USDT$/, '');
  return {
    candles: candles.length,
    panel: {
      current: `${usd.format(last.close)} USDT`,
      change: `${signed(change)} USDT (${signed((change / first.open) * 100)} %)`,
      min: `${usd.format(Math.min(...candles.map((c) => c.low)))} USDT`,
      max: `${usd.format(Math.max(...candles.map((c) => c.high)))} USDT`,
      volume: `${qty.format(candles.reduce((sum, c) => sum + c.volume, 0))} ${base}`,
    },
    now: new Date(now)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ''),
  };
}

const panelOf = async (page: Page) => ({
  current: await text(page, 'current'),
  change: await text(page, 'change'),
  min: await text(page, 'min'),
  max: await text(page, 'max'),
  volume: await text(page, 'volume'),
});

test('the dashboard follows a replay live, switches symbol and range, and its numbers are the pipeline results', async () => {
  // The first four minutes of trades before the page opens: its history.
  const split = trades.findIndex((t) => t.time >= trades[0]!.time + 4 * MINUTE);
  feed(trades.slice(0, split));

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  await page.goto(dashboard.url);

  await expect.poll(() => text(page, 'status')).toBe('Live');
  await expect.poll(() => count(page, 'legend-candles'), { timeout: 30_000 }).toBeGreaterThan(0);
  const before = {
    candles: await count(page, 'legend-candles'),
    average: await count(page, 'legend-average'),
    chart: await page.locator('[data-testid="chart"]').screenshot(),
  };
  expect(before.average).toBeGreaterThan(0);
  expect(await page.inputValue('[data-testid="symbol-picker"]')).toBe('BTCUSDT');

  // The rest arrives while the page is open: the chart takes the new results over the socket.
  feed(trades.slice(split));
  trades$.complete();
  await expect.poll(() => page.getAttribute('[data-testid="status"]', 'data-status')).toBe('ended');
  await expect.poll(() => count(page, 'legend-candles')).toBeGreaterThan(before.candles);
  expect(await count(page, 'legend-average')).toBeGreaterThan(before.average);
  expect(await page.locator('[data-testid="chart"]').screenshot()).not.toEqual(before.chart);

  // 15 minutes opens on 1 s candles; the chart holds exactly the pipeline's candles of the range.
  let expected = expectedPanel('BTCUSDT', '1s', 15 * MINUTE);
  await expect.poll(() => count(page, 'legend-candles')).toBe(expected.candles);
  expect(await text(page, 'legend-candles')).toBe(`1s candles: ${expected.candles}`);
  expect(await panelOf(page)).toEqual(expected.panel);
  expect(await text(page, 'now')).toBe(expected.now);
  await page.screenshot({ path: `${ARTIFACTS}dashboard-laptop.png` });

  // Another symbol.
  await page.selectOption('[data-testid="symbol-picker"]', 'ETHUSDT');
  expected = expectedPanel('ETHUSDT', '1s', 15 * MINUTE);
  await expect.poll(() => panelOf(page)).toEqual(expected.panel);
  expect(await count(page, 'legend-candles')).toBe(expected.candles);
  expect(await page.textContent('#chart-title')).toBe('ETHUSDT price in USDT');

  // Longer ranges open on 1 m candles; the reader may still pick 1 s ones.
  await page.getByRole('button', { name: '1 h' }).click();
  expected = expectedPanel('ETHUSDT', '1m', 60 * MINUTE);
  await expect.poll(() => panelOf(page)).toEqual(expected.panel);
  expect(await text(page, 'legend-candles')).toBe(`1m candles: ${expected.candles}`);
  await page.getByRole('button', { name: '1s' }).click();
  expected = expectedPanel('ETHUSDT', '1s', 60 * MINUTE);
  await expect.poll(() => panelOf(page)).toEqual(expected.panel);
  expect(await count(page, 'legend-candles')).toBe(expected.candles);

  await page.getByRole('button', { name: '24 h' }).click();
  await page.selectOption('[data-testid="symbol-picker"]', 'BTCUSDT');
  expected = expectedPanel('BTCUSDT', '1s', 24 * 60 * MINUTE);
  await expect.poll(() => panelOf(page)).toEqual(expected.panel);
  expect(new URL(page.url()).search).toBe('?symbol=BTCUSDT&range=86400000&interval=1s');

  expect(errors).toEqual([]);
  await page.close();
});

test('on a phone, the page fits the width and keeps the chart and the panel', async () => {
  const page = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await page.goto(dashboard.url);
  const expected = expectedPanel('BTCUSDT', '1s', 15 * MINUTE);
  await expect.poll(() => panelOf(page), { timeout: 30_000 }).toEqual(expected.panel);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  const chart = await page.locator('[data-testid="chart"]').boundingBox();
  expect(chart!.width).toBeGreaterThan(300);
  expect(chart!.height).toBeGreaterThan(300);
  await page.screenshot({ path: `${ARTIFACTS}dashboard-phone.png`, fullPage: true });
  await page.close();
});

test('when the history fails, the page says so and still shows what arrives live', async () => {
  const events = new Subject<DashboardEvent>();
  const broken = await startDashboard({
    port: 0,
    events,
    history: {
      query: () => Promise.reject(new Error('InfluxDB unreachable')),
      extent: () => Promise.resolve({ symbols: {}, latest: undefined }),
    },
    symbols: ['BTCUSDT'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(broken.url);
    // Live: the socket carries BTCUSDT's results from here on.
    await expect.poll(() => text(page, 'status')).toBe('Live');
    const candles = produced.filter(
      (e) => e.type === 'candle' && e.symbol === 'BTCUSDT' && e.interval === '1s',
    );
    for (const e of candles.slice(0, 30)) events.next(e);
    await expect
      .poll(() => text(page, 'basis'))
      .toBe(
        'History unavailable (history unavailable: InfluxDB unreachable): showing only what arrived live.',
      );
    await expect.poll(() => count(page, 'legend-candles')).toBe(30);
    await page.close();
  } finally {
    await broken.close();
  }
});
