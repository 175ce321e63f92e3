import type { Counter, Gauge, Histogram, Labels, MetricKind, Metrics } from './Metrics.js';
import { MetricSpec, seriesKey, splitArgs } from './MetricSpec.js';

interface HistogramSeries {
  count: number;
  sum: number;
  /** Observations per bucket, not cumulative; the last slot is `+Inf`. */
  readonly perBucket: number[];
}

interface Entry {
  readonly spec: MetricSpec;
  /** Counter and gauge values by series key. */
  readonly values: Map<string, number>;
  readonly histograms: Map<string, HistogramSeries>;
}

/**
 * {@link Metrics} kept in memory, for tests and for embedding: write through the interface, read back with
 * {@link MemoryMetrics.value} (counters and gauges) and {@link MemoryMetrics.count},
 * {@link MemoryMetrics.sum} and {@link MemoryMetrics.buckets} (histograms). It accepts and rejects the
 * same calls as {@link promMetrics}, and the same calls give the same values: a test on memory metrics
 * says what Prometheus would show.
 *
 * As in prom-client, a metric without labels has a series at 0 from its creation; a labelled series
 * exists once it is written.
 *
 * @example
 * ```ts
 * import { MemoryMetrics, metricNames } from 'tributary/metrics';
 *
 * const metrics = new MemoryMetrics();
 * const { name, help, labelNames, buckets } = metricNames.checkpointDuration;
 * const checkpoints = metrics.histogram(name, help, labelNames, buckets);
 * checkpoints.observe(0.02);
 * checkpoints.observe(0.3);
 *
 * console.log(metrics.count(name), metrics.sum(name));
 * // 2 0.32
 * console.log(metrics.buckets(name).find((b) => b.le === 0.25));
 * // { le: 0.25, count: 1 }
 * ```
 */
export class MemoryMetrics implements Metrics {
  private readonly entries = new Map<string, Entry>();

  counter<L extends string = never>(name: string, _help: string, labelNames?: readonly L[]): Counter<L> {
    const entry = this.define(MetricSpec.of('counter', name, labelNames), false);
    return {
      inc: (first?: Labels | number, second?: number) => this.add(entry, first, second),
    };
  }

  gauge<L extends string = never>(name: string, _help: string, labelNames?: readonly L[]): Gauge<L> {
    const entry = this.define(MetricSpec.of('gauge', name, labelNames), false);
    return {
      set: (first: Labels | number, second?: number) => {
        const [labels, value] = splitArgs(first, second);
        if (labels !== undefined) entry.spec.checkLabels(labels);
        entry.spec.checkValue(value as number, false);
        entry.values.set(seriesKey(entry.spec, labels), value as number);
      },
      inc: (first?: Labels | number, second?: number) => this.add(entry, first, second),
    };
  }

  histogram<L extends string = never>(
    name: string,
    _help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L> {
    const entry = this.define(MetricSpec.of('histogram', name, labelNames, buckets), buckets !== undefined);
    const bounds = entry.spec.buckets;
    return {
      observe: (first: Labels | number, second?: number) => {
        const [labels, value] = splitArgs(first, second);
        if (labels !== undefined) entry.spec.checkLabels(labels);
        entry.spec.checkValue(value as number, false);
        const series = this.histogramSeries(entry, seriesKey(entry.spec, labels));
        series.count++;
        series.sum += value as number;
        let i = 0;
        while (i < bounds.length && (value as number) > bounds[i]!) i++;
        series.perBucket[i]!++;
      },
    };
  }

  /**
   * The value of a counter or gauge series, or `undefined` if the metric or the series was never
   * written. Throws a `METRIC_CONFLICT` {@link MetricsError} for a histogram and `METRIC_INVALID` for a
   * label the metric does not declare, so that a typo in a test fails instead of reading `undefined`.
   */
  value(name: string, labels?: Labels): number | undefined {
    const entry = this.read(name, labels, ['counter', 'gauge'], 'read it with count, sum or buckets');
    return entry?.values.get(seriesKey(entry.spec, labels));
  }

  /** How many values a histogram series observed; `undefined` if never written. */
  count(name: string, labels?: Labels): number | undefined {
    return this.histogramRead(name, labels)?.count;
  }

  /** The sum of the values a histogram series observed; `undefined` if never written. */
  sum(name: string, labels?: Labels): number | undefined {
    return this.histogramRead(name, labels)?.sum;
  }

  /**
   * The cumulative count of each bucket of a histogram series, as Prometheus exposes it: `count` values
   * were at most `le`; the last bucket is `le: Infinity`. Empty if never written.
   */
  buckets(name: string, labels?: Labels): readonly { readonly le: number; readonly count: number }[] {
    const entry = this.read(name, labels, ['histogram'], 'read it with value');
    const series = entry?.histograms.get(seriesKey(entry.spec, labels));
    if (entry === undefined || series === undefined) return [];
    let cumulative = 0;
    return [...entry.spec.buckets, Infinity].map((le, i) => ({
      le,
      count: (cumulative += series.perBucket[i]!),
    }));
  }

  private define(requested: MetricSpec, bucketsGiven: boolean): Entry {
    const existing = this.entries.get(requested.name);
    if (existing !== undefined) {
      existing.spec.reuse(requested, bucketsGiven);
      return existing;
    }
    const entry: Entry = { spec: requested, values: new Map(), histograms: new Map() };
    if (requested.labelNames.length === 0) {
      if (requested.kind === 'histogram') this.histogramSeries(entry, '');
      else entry.values.set('', 0);
    }
    this.entries.set(requested.name, entry);
    return entry;
  }

  private add(entry: Entry, first: Labels | number | undefined, second: number | undefined): void {
    const [labels, n = 1] = splitArgs(first, second);
    if (labels !== undefined) entry.spec.checkLabels(labels);
    entry.spec.checkValue(n, true);
    const key = seriesKey(entry.spec, labels);
    entry.values.set(key, (entry.values.get(key) ?? 0) + n);
  }

  private histogramSeries(entry: Entry, key: string): HistogramSeries {
    let series = entry.histograms.get(key);
    if (series === undefined) {
      series = { count: 0, sum: 0, perBucket: new Array<number>(entry.spec.buckets.length + 1).fill(0) };
      entry.histograms.set(key, series);
    }
    return series;
  }

  private histogramRead(name: string, labels: Labels | undefined): HistogramSeries | undefined {
    const entry = this.read(name, labels, ['histogram'], 'read it with value');
    return entry?.histograms.get(seriesKey(entry.spec, labels));
  }

  private read(
    name: string,
    labels: Labels | undefined,
    kinds: readonly MetricKind[],
    hint: string,
  ): Entry | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    entry.spec.expect(kinds, hint);
    if (labels !== undefined) entry.spec.checkLabels(labels);
    return entry;
  }
}
