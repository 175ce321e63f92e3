import type { Labels, MetricKind } from './Metrics.js';
import { MetricsError } from './MetricsError.js';

/**
 * The shape of one metric and the checks both implementations apply to it, so that {@link MemoryMetrics}
 * accepts and rejects exactly what {@link promMetrics} does. Internal: not exported from the package.
 */

/** Prometheus' default buckets, in seconds: prom-client uses the same. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricSpec {
  private readonly declared: ReadonlySet<string>;

  private constructor(
    readonly kind: MetricKind,
    readonly name: string,
    readonly labelNames: readonly string[],
    /** Histograms only. */
    readonly buckets: readonly number[],
  ) {
    this.declared = new Set(labelNames);
  }

  /** Validates a definition; `buckets` applies to histograms and defaults to {@link DEFAULT_BUCKETS}. */
  static of(
    kind: MetricKind,
    name: string,
    labelNames: readonly string[] = [],
    buckets?: readonly number[],
  ): MetricSpec {
    if (!METRIC_NAME.test(name))
      throw invalid(`metric name ${JSON.stringify(name)} is not a Prometheus name`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__'))
        throw invalid(`${name}: label name ${JSON.stringify(label)} is not a Prometheus label name`);
      if (kind === 'histogram' && label === 'le') throw invalid(`${name}: "le" is reserved in histograms`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw invalid(`${name}: label names repeat`);
    if (kind !== 'histogram') return new MetricSpec(kind, name, [...labelNames], []);
    const bounds = buckets ?? DEFAULT_BUCKETS;
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!)))
      throw invalid(`${name}: buckets must be finite and strictly increasing, got [${bounds.join(', ')}]`);
    return new MetricSpec(kind, name, [...labelNames], [...bounds]);
  }

  /**
   * Throws `METRIC_CONFLICT` unless `requested` describes the same metric. Omitted buckets accept the
   * existing ones; help texts may differ (the first one is kept).
   */
  reuse(requested: MetricSpec, bucketsGiven: boolean): this {
    const sameLabels =
      requested.labelNames.length === this.labelNames.length &&
      requested.labelNames.every((label) => this.declared.has(label));
    const sameBuckets =
      !bucketsGiven ||
      (requested.buckets.length === this.buckets.length &&
        requested.buckets.every((b, i) => b === this.buckets[i]));
    if (requested.kind !== this.kind || !sameLabels || !sameBuckets)
      throw new MetricsError(
        'METRIC_CONFLICT',
        `${this.name} is already defined as ${this.describe()}; cannot define it as ${requested.describe()}`,
      );
    return this;
  }

  /** Throws `METRIC_CONFLICT` unless this metric is of a kind the reader expects; `hint` says what to use. */
  expect(kinds: readonly MetricKind[], hint: string): void {
    if (!kinds.includes(this.kind))
      throw new MetricsError('METRIC_CONFLICT', `${this.name} is a ${this.kind}: ${hint}`);
  }

  /** Throws `METRIC_INVALID` if `labels` uses a name the metric does not declare. */
  checkLabels(labels: Labels): void {
    for (const label in labels)
      if (!this.declared.has(label))
        throw invalid(
          `${this.name}: label "${label}" is not declared (declared: ${this.labelNames.join(', ') || 'none'})`,
        );
  }

  /** Throws `METRIC_INVALID` unless `value` is finite (and, for a counter increment, not negative). */
  checkValue(value: number, increment: boolean): void {
    if (!Number.isFinite(value)) throw invalid(`${this.name}: ${String(value)} is not a finite number`);
    if (increment && this.kind === 'counter' && value < 0)
      throw invalid(`${this.name}: a counter cannot decrease (inc by ${value})`);
  }

  private describe(): string {
    const buckets = this.kind === 'histogram' ? ` with buckets [${this.buckets.join(', ')}]` : '';
    return `a ${this.kind} with labels [${this.labelNames.join(', ')}]${buckets}`;
  }
}

/** The key of a series: label values in the order of the declared names, absent labels marked apart. */
export const seriesKey = (spec: MetricSpec, labels: Labels | undefined): string => {
  let key = '';
  for (const name of spec.labelNames) {
    const value = labels?.[name];
    key += value === undefined ? '\u0001' : `\u0002${String(value)}`;
    key += '\u0000';
  }
  return key;
};

/**
 * Splits the overloads `(n?)` / `(labels, n?)` of `inc`, and `(v)` / `(labels, v)` of `set` and
 * `observe`, into labels and number.
 */
export const splitArgs = (
  first: Labels | number | undefined,
  second: number | undefined,
): [Labels | undefined, number | undefined] =>
  typeof first === 'object' ? [first, second] : [undefined, first];

const invalid = (message: string): MetricsError => new MetricsError('METRIC_INVALID', message);
