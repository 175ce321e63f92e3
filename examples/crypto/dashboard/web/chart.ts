import {
  CandlestickSeries,
  ColorType,
  createChart,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { CandleEvent } from '../DashboardEvent.js';
import { formatPrice, formatUtc } from './format.js';
import type { LinePoint } from './summary.js';

const UP = '#26a69a';
const DOWN = '#ef5350';
const AVERAGE = '#f5b73b';

// The chart's time axis is in seconds; results are in ms.
const seconds = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

/** The price chart of one symbol: candles, the moving average over them, and volume bars below. */
export class PriceChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly average: ISeriesApi<'Line'>;
  private readonly volume: ISeriesApi<'Histogram'>;

  constructor(container: HTMLElement) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: '#131c2e' },
        textColor: '#c9d4e5',
        fontSize: 12,
      },
      grid: { vertLines: { color: '#1d2940' }, horzLines: { color: '#1d2940' } },
      rightPriceScale: { borderColor: '#25324a' },
      timeScale: { borderColor: '#25324a', timeVisible: true, secondsVisible: true },
      crosshair: { mode: CrosshairMode.Normal },
      // The axis shows UTC (the library's default); the crosshair label says so.
      localization: {
        locale: 'en-US',
        priceFormatter: formatPrice,
        timeFormatter: (time: number) => `${formatUtc(time * 1000)} UTC`,
      },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderUpColor: UP,
      borderDownColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
      title: '',
    });
    this.average = this.chart.addSeries(LineSeries, {
      color: AVERAGE,
      lineWidth: 2,
      priceLineVisible: false,
      lastValueVisible: true,
      crosshairMarkerVisible: true,
    });
    this.volume = this.chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
  }

  /** Replaces what the chart shows; `candles` and `average` in time order. */
  show(candles: readonly CandleEvent[], average: readonly LinePoint[]): void {
    this.candles.setData(
      candles.map((c) => ({
        time: seconds(c.start),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
      })),
    );
    this.volume.setData(
      candles.map((c) => ({
        time: seconds(c.start),
        value: c.volume,
        color: c.close >= c.open ? 'rgba(38, 166, 154, 0.45)' : 'rgba(239, 83, 80, 0.45)',
      })),
    );
    this.average.setData(average.map((p) => ({ time: seconds(p.time), value: p.value })));
  }

  /** How many candles and average points the chart holds: what a reader of the page can count. */
  counts(): { candles: number; average: number } {
    return { candles: this.candles.data().length, average: this.average.data().length };
  }

  fit(): void {
    this.chart.timeScale().fitContent();
  }
}
