import { metricNames, type MetricDefinition } from './metricNames.js';
import type { Counter, Gauge, Histogram, Metrics } from './Metrics.js';

type LabelOf<D> = D extends { readonly labelNames: readonly (infer L extends string)[] } ? L : never;

/** The handle a definition creates, typed with its labels. */
export type MetricHandle<D extends MetricDefinition> = D['kind'] extends 'counter'
  ? Counter<LabelOf<D>>
  : D['kind'] extends 'gauge'
    ? Gauge<LabelOf<D>>
    : Histogram<LabelOf<D>>;

/** A handle on every standard metric, under the keys of {@link metricNames}. */
export type StandardMetrics = {
  readonly [K in keyof typeof metricNames]: MetricHandle<(typeof metricNames)[K]>;
};

/**
 * Creates every standard Tributary metric ({@link metricNames}) in `metrics` and returns typed handles:
 * a label the metric does not have is a compile error. Call it once per run; calling it again on the same
 * registry returns handles on the same metrics.
 *
 * @example
 * ```ts
 * import { MemoryMetrics, metricNames, standardMetrics } from 'tributary/metrics';
 *
 * const registry = new MemoryMetrics();
 * const metrics = standardMetrics(registry);
 * metrics.consumerLag.set({ topic: 'trades', partition: 0 }, 1_200);
 * metrics.diverted.inc({ operator: 'candles', reason: 'late' });
 *
 * console.log(registry.value(metricNames.consumerLag.name, { topic: 'trades', partition: 0 }));
 * // 1200
 * ```
 */
export const standardMetrics = (metrics: Metrics): StandardMetrics => {
  const handles: Partial<Record<keyof typeof metricNames, Counter | Gauge | Histogram>> = {};
  for (const key of Object.keys(metricNames) as (keyof typeof metricNames)[]) {
    const definition: MetricDefinition = metricNames[key];
    const { name, help, labelNames } = definition;
    handles[key] =
      definition.kind === 'counter'
        ? metrics.counter(name, help, labelNames)
        : definition.kind === 'gauge'
          ? metrics.gauge(name, help, labelNames)
          : metrics.histogram(name, help, labelNames, definition.buckets);
  }
  return handles as StandardMetrics;
};
