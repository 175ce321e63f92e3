import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  register,
  type LabelValues,
  type Registry,
  type RegistryContentType,
} from 'prom-client';
import type { Counter, Gauge, Histogram, Labels, Metrics } from './Metrics.js';
import { MetricSpec } from './MetricSpec.js';
import { MetricsError } from './MetricsError.js';

/** What prom-client keeps on every metric object, beyond its typings. */
interface PromMetricFields {
  readonly type?: string;
  readonly labelNames?: readonly string[];
  readonly upperBounds?: readonly number[];
}

/**
 * One handle method over its two overloads, `(labels, value)` and `(value)`: checks the labels, then the
 * value (`omitted` when none is given; `increment` as `MetricSpec.checkValue` takes it), then records.
 * It branches on the arguments rather than packing them, so a call allocates nothing beyond prom-client.
 */
const overload =
  (
    spec: MetricSpec,
    omitted: number | undefined,
    increment: boolean,
    labelled: (labels: LabelValues<string>, value: number) => void,
    plain: (value: number) => void,
  ) =>
  (first: Labels | number | undefined, second: number | undefined): void => {
    if (typeof first === 'object') {
      spec.checkLabels(first);
      const value = (second ?? omitted) as number;
      spec.checkValue(value, increment);
      labelled(first as LabelValues<string>, value);
    } else {
      const value = (first ?? omitted) as number;
      spec.checkValue(value, increment);
      plain(value);
    }
  };

/**
 * {@link Metrics} over a prom-client `Registry` (by default prom-client's global `register`, the one
 * `collectDefaultMetrics` fills). Each metric is created in the registry once: asking again for the same
 * name, from this adapter or another one on the same registry, returns a handle on the existing metric,
 * and a metric of that name registered by other code is reused if it has the same type and labels.
 *
 * Calls are checked before they reach prom-client, exactly as {@link MemoryMetrics} checks them: an
 * undeclared label, a value that is not finite or a counter decrement throws a {@link MetricsError}.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { metricNames, promMetrics } from 'tributary/metrics';
 *
 * const registry = new Registry();
 * const metrics = promMetrics(registry);
 * const { name, help, labelNames } = metricNames.recordsIn;
 * metrics.counter(name, help, labelNames).inc({ operator: 'source', topic: 'trades' }, 3);
 *
 * console.log(await registry.getSingleMetricAsString(name));
 * // # HELP tributary_records_in_total Records an operator received, by operator and source topic.
 * // # TYPE tributary_records_in_total counter
 * // tributary_records_in_total{operator="source",topic="trades"} 3
 * ```
 */
export const promMetrics = (registry: Registry<RegistryContentType> = register): Metrics => {
  /** The metric already in the registry under `requested.name`, if any; throws if it is another metric. */
  const existing = (requested: MetricSpec, bucketsGiven: boolean) => {
    const metric = registry.getSingleMetric(requested.name);
    if (metric === undefined) return undefined;
    const fields = metric as unknown as PromMetricFields;
    const kind = fields.type;
    if (kind !== 'counter' && kind !== 'gauge' && kind !== 'histogram')
      throw new MetricsError(
        'METRIC_CONFLICT',
        `${requested.name} is already registered as a ${kind ?? 'metric of unknown type'}; cannot define it as a ${requested.kind}`,
      );
    MetricSpec.of(kind, requested.name, fields.labelNames, fields.upperBounds).reuse(requested, bucketsGiven);
    return metric;
  };

  return {
    counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L> {
      const spec = MetricSpec.of('counter', name, labelNames);
      const metric =
        (existing(spec, false) as PromCounter | undefined) ??
        new PromCounter({ name, help, labelNames: spec.labelNames, registers: [registry] });
      const inc = overload(
        spec,
        1,
        true,
        (labels, n) => metric.inc(labels, n),
        (n) => metric.inc(n),
      );
      return { inc: (first?: Labels | number, second?: number) => inc(first, second) };
    },

    gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Gauge<L> {
      const spec = MetricSpec.of('gauge', name, labelNames);
      const metric =
        (existing(spec, false) as PromGauge | undefined) ??
        new PromGauge({ name, help, labelNames: spec.labelNames, registers: [registry] });
      const set = overload(
        spec,
        undefined,
        false,
        (labels, v) => metric.set(labels, v),
        (v) => metric.set(v),
      );
      const inc = overload(
        spec,
        1,
        true,
        (labels, n) => metric.inc(labels, n),
        (n) => metric.inc(n),
      );
      return {
        set: (first: Labels | number, second?: number) => set(first, second),
        inc: (first?: Labels | number, second?: number) => inc(first, second),
      };
    },

    histogram<L extends string = never>(
      name: string,
      help: string,
      labelNames?: readonly L[],
      buckets?: readonly number[],
    ): Histogram<L> {
      const spec = MetricSpec.of('histogram', name, labelNames, buckets);
      const metric =
        (existing(spec, buckets !== undefined) as PromHistogram | undefined) ??
        new PromHistogram({
          name,
          help,
          labelNames: spec.labelNames,
          buckets: [...spec.buckets],
          registers: [registry],
        });
      const observe = overload(
        spec,
        undefined,
        false,
        (labels, v) => metric.observe(labels, v),
        (v) => metric.observe(v),
      );
      return { observe: (first: Labels | number, second?: number) => observe(first, second) };
    },
  };
};
