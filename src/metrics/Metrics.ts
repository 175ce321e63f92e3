/**
 * The metrics interface the runtime writes to. It is deliberately small, so that any registry can sit
 * behind it: Prometheus through {@link promMetrics}, an in-memory one for tests ({@link MemoryMetrics}),
 * nothing at all ({@link noopMetrics}), or an adapter the user writes for another system.
 */

/** The three kinds of metric. */
export type MetricKind = 'counter' | 'gauge' | 'histogram';

/**
 * The label values of one series. Keys must be among the metric's declared label names; a label left out
 * is absent from the series (it is not an empty string). Numbers are written as their decimal text, so
 * `{ partition: 3 }` and `{ partition: '3' }` are the same series.
 */
export type Labels<L extends string = string> = { readonly [K in L]?: string | number };

/** A value that only goes up: records, failures. */
export interface Counter<L extends string = string> {
  /** Adds `n` (default 1; finite, not negative) to the series without labels. */
  inc(n?: number): void;
  /** Adds `n` (default 1; finite, not negative) to the series `labels`. */
  inc(labels: Labels<L>, n?: number): void;
}

/** A value that goes up and down: lag, buffered records. */
export interface Gauge<L extends string = string> {
  /** Sets the series without labels to `value`. */
  set(value: number): void;
  /** Sets the series `labels` to `value`. */
  set(labels: Labels<L>, value: number): void;
  /** Adds `n` (default 1, may be negative) to the series without labels. */
  inc(n?: number): void;
  /** Adds `n` (default 1, may be negative) to the series `labels`. */
  inc(labels: Labels<L>, n?: number): void;
}

/** A distribution of observed values: durations, latencies. */
export interface Histogram<L extends string = string> {
  /** Records `value` in the series without labels. */
  observe(value: number): void;
  /** Records `value` in the series `labels`. */
  observe(labels: Labels<L>, value: number): void;
}

/**
 * Creates metrics. Calling a factory again with the same name returns a handle on the same metric, so
 * every part of the runtime can ask for what it writes without sharing handles; the same name with
 * another type, other label names or other buckets throws a `METRIC_CONFLICT` {@link MetricsError}.
 *
 * Names and label names follow Prometheus rules (`[a-zA-Z_:][a-zA-Z0-9_:]*`, labels without `:`). The
 * standard Tributary metrics are listed once, in {@link metricNames}.
 *
 * @example
 * ```ts
 * import { MemoryMetrics, type Metrics } from 'tributary/metrics';
 *
 * // A component takes any implementation and creates what it writes once, up front.
 * const countTrades = (metrics: Metrics) => {
 *   const trades = metrics.counter('trades_total', 'Trades seen, by symbol', ['symbol']);
 *   const price = metrics.gauge('last_price', 'Last trade price, by symbol', ['symbol']);
 *   return (symbol: string, value: number) => {
 *     trades.inc({ symbol });
 *     price.set({ symbol }, value);
 *   };
 * };
 *
 * const metrics = new MemoryMetrics();
 * const onTrade = countTrades(metrics);
 * onTrade('BTCUSDT', 64_000);
 * onTrade('BTCUSDT', 64_100);
 * console.log(
 *   metrics.value('trades_total', { symbol: 'BTCUSDT' }),
 *   metrics.value('last_price', { symbol: 'BTCUSDT' }),
 * );
 * // 2 64100
 * ```
 */
export interface Metrics {
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  /** `buckets` are the upper bounds, strictly increasing; by default Prometheus' (5 ms to 10 s, in seconds). */
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
}

const noopCounter: Counter<never> = { inc: () => {} };
const noopGauge: Gauge<never> = { set: () => {}, inc: () => {} };
const noopHistogram: Histogram<never> = { observe: () => {} };

/**
 * Metrics that record nothing: every factory returns a shared handle whose methods do nothing, so an
 * instrumented hot path costs one empty call. For a component that takes `Metrics` when none was given.
 *
 * @example
 * ```ts
 * import { noopMetrics } from 'tributary/metrics';
 *
 * const recordsIn = noopMetrics.counter('records_in_total', 'Records read', ['topic']);
 * recordsIn.inc({ topic: 'trades' }, 500); // costs nothing, records nothing
 * ```
 */
export const noopMetrics: Metrics = {
  counter: <L extends string>() => noopCounter as Counter<L>,
  gauge: <L extends string>() => noopGauge as Gauge<L>,
  histogram: <L extends string>() => noopHistogram as Histogram<L>,
};
