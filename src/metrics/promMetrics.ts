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

  // Handles branch on the overload instead of splitting arguments into a tuple: no allocation per call
  // beyond prom-client's own. Labels are checked before the value, as MemoryMetrics does.
  return {
    counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L> {
      const spec = MetricSpec.of('counter', name, labelNames);
      const metric =
        (existing(spec, false) as PromCounter | undefined) ??
        new PromCounter({ name, help, labelNames: spec.labelNames, registers: [registry] });
      return {
        inc: (first?: Labels | number, second?: number) => {
          if (typeof first === 'object') {
            spec.checkLabels(first);
            spec.checkValue(second ?? 1, true);
            metric.inc(first as LabelValues<string>, second ?? 1);
          } else {
            spec.checkValue(first ?? 1, true);
            metric.inc(first ?? 1);
          }
        },
      };
    },

    gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Gauge<L> {
      const spec = MetricSpec.of('gauge', name, labelNames);
      const metric =
        (existing(spec, false) as PromGauge | undefined) ??
        new PromGauge({ name, help, labelNames: spec.labelNames, registers: [registry] });
      return {
        set: (first: Labels | number, second?: number) => {
          if (typeof first === 'object') {
            spec.checkLabels(first);
            spec.checkValue(second as number, false);
            metric.set(first as LabelValues<string>, second as number);
          } else {
            spec.checkValue(first, false);
            metric.set(first);
          }
        },
        inc: (first?: Labels | number, second?: number) => {
          if (typeof first === 'object') {
            spec.checkLabels(first);
            spec.checkValue(second ?? 1, true);
            metric.inc(first as LabelValues<string>, second ?? 1);
          } else {
            spec.checkValue(first ?? 1, true);
            metric.inc(first ?? 1);
          }
        },
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
      return {
        observe: (first: Labels | number, second?: number) => {
          if (typeof first === 'object') {
            spec.checkLabels(first);
            spec.checkValue(second as number, false);
            metric.observe(first as LabelValues<string>, second as number);
          } else {
            spec.checkValue(first, false);
            metric.observe(first);
          }
        },
      };
    },
  };
};
