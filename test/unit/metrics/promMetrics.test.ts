import fc from 'fast-check';
import { Counter as PromCounter, register, Registry, Summary } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryMetrics } from '../../../src/metrics/MemoryMetrics.js';
import type { Labels, Metrics } from '../../../src/metrics/Metrics.js';
import { MetricsError } from '../../../src/metrics/MetricsError.js';
import { promMetrics } from '../../../src/metrics/promMetrics.js';

/** One call through the {@link Metrics} interface, as data, so both implementations get the same ones. */
type Call =
  | {
      readonly kind: 'inc';
      readonly metric: 'records' | 'failures' | 'lag';
      readonly labels?: Labels;
      readonly n?: number;
    }
  | { readonly kind: 'set'; readonly labels?: Labels; readonly value: number }
  | {
      readonly kind: 'observe';
      readonly metric: 'latency' | 'duration';
      readonly labels?: Labels;
      readonly value: number;
    };

const define = (metrics: Metrics) => ({
  records: metrics.counter('records_total', 'Records by topic and partition', ['topic', 'partition']),
  failures: metrics.counter('failures_total', 'Failures'),
  lag: metrics.gauge('lag_records', 'Lag by partition', ['partition']),
  latency: metrics.histogram('latency_ms', 'Latency by output', ['output'], [1, 5, 10]),
  duration: metrics.histogram('duration_seconds', 'Durations'),
});

const apply = (metrics: Metrics, calls: readonly Call[]): void => {
  const m = define(metrics);
  for (const call of calls) {
    if (call.kind === 'inc') {
      const target = m[call.metric];
      if (call.labels === undefined) target.inc(call.n);
      else target.inc(call.labels, call.n);
    } else if (call.kind === 'set') {
      if (call.labels === undefined) m.lag.set(call.value);
      else m.lag.set(call.labels, call.value);
    } else if (call.labels === undefined) m[call.metric].observe(call.value);
    else m[call.metric].observe(call.labels, call.value);
  }
};

/** A series as prom-client reports it, reduced to what {@link MemoryMetrics} reads. */
interface Series {
  readonly labels: Labels;
  value?: number;
  count?: number;
  sum?: number;
  buckets?: { le: number; count: number }[];
}

/** Reads every series of `name` with `registry.getSingleMetric(name).get()`. */
const promSeries = async (registry: Registry, name: string): Promise<Series[]> => {
  const metric = await registry.getSingleMetric(name)!.get();
  const byKey = new Map<string, Series>();
  for (const { labels, value, metricName } of metric.values as {
    labels: Record<string, string | number>;
    value: number;
    metricName?: string;
  }[]) {
    const { le, ...own } = labels;
    const key = JSON.stringify(Object.entries(own).sort());
    const series = byKey.get(key) ?? { labels: own };
    byKey.set(key, series);
    if (metricName === `${name}_bucket`)
      (series.buckets ??= []).push({ le: le === '+Inf' ? Infinity : Number(le), count: value });
    else if (metricName === `${name}_count`) series.count = value;
    else if (metricName === `${name}_sum`) series.sum = value;
    else series.value = value;
  }
  return [...byKey.values()];
};

const METRIC_NAMES = {
  records: 'records_total',
  failures: 'failures_total',
  lag: 'lag_records',
  latency: 'latency_ms',
  duration: 'duration_seconds',
} as const;

/** Label sets compare by their text: `{ partition: 0 }` and `{ partition: '0' }` are one series. */
const sameLabels = (a: Labels, b: Labels): boolean => {
  const text = (labels: Labels) =>
    JSON.stringify(
      Object.entries(labels)
        .map(([k, v]) => [k, String(v)])
        .sort(),
    );
  return text(a) === text(b);
};

/**
 * Applies `calls` to both implementations, then reads every series that prom-client reports or that a
 * call wrote from both: the values must be the same.
 */
const expectSame = async (calls: readonly Call[]): Promise<void> => {
  const memory = new MemoryMetrics();
  const registry = new Registry();
  apply(memory, calls);
  apply(promMetrics(registry), calls);

  for (const [key, name] of Object.entries(METRIC_NAMES)) {
    const prom = await promSeries(registry, name);
    const written = calls
      .filter((c) => (c.kind === 'set' ? 'lag' : c.metric) === key)
      .map((c) => c.labels ?? {});
    for (const labels of [...prom.map((series) => series.labels), ...written]) {
      const series = prom.find((s) => sameLabels(s.labels, labels));
      if (key === 'latency' || key === 'duration') {
        expect(memory.count(name, labels), name).toBe(series?.count);
        expect(memory.sum(name, labels), name).toBe(series?.sum);
        expect(memory.buckets(name, labels), name).toEqual(series?.buckets ?? []);
      } else {
        expect(memory.value(name, labels), name).toBe(series?.value);
      }
    }
  }
};

describe('promMetrics and MemoryMetrics', () => {
  it('the same calls give the same values (examples)', async () => {
    await expectSame([
      { kind: 'inc', metric: 'records', labels: { topic: 'trades', partition: 0 } },
      { kind: 'inc', metric: 'records', labels: { topic: 'trades', partition: '0' }, n: 4 },
      { kind: 'inc', metric: 'records', labels: { topic: 'trades' }, n: 0 },
      { kind: 'inc', metric: 'records' },
      { kind: 'inc', metric: 'failures', n: 2 },
      { kind: 'set', labels: { partition: 1 }, value: 120 },
      { kind: 'inc', metric: 'lag', labels: { partition: 1 }, n: -20 },
      { kind: 'set', value: -3 },
      { kind: 'observe', metric: 'latency', labels: { output: 'candles' }, value: 5 },
      { kind: 'observe', metric: 'latency', labels: { output: 'candles' }, value: 5.5 },
      { kind: 'observe', metric: 'latency', value: 50 },
      { kind: 'observe', metric: 'duration', value: 0.25 },
    ]);
  });

  it('the same calls give the same values (generated)', async () => {
    const labelValue = fc.constantFrom<string | number>('a', 'b', '', 0, 1, '1');
    const labels = <K extends string>(...names: K[]) =>
      fc.option(
        fc.record(Object.fromEntries(names.map((n) => [n, labelValue])) as Record<K, typeof labelValue>, {
          requiredKeys: [],
        }),
        { nil: undefined },
      );
    const amount = fc.option(fc.constantFrom(0, 1, 2.5, 7), { nil: undefined });
    const value = fc.constantFrom(-2, 0, 0.5, 1, 5, 10, 10.5, 1e6);
    const call = fc.oneof(
      fc.record({
        kind: fc.constant('inc' as const),
        metric: fc.constant('records' as const),
        labels: labels('topic', 'partition'),
        n: amount,
      }),
      fc.record({ kind: fc.constant('inc' as const), metric: fc.constant('failures' as const), n: amount }),
      fc.record({
        kind: fc.constant('inc' as const),
        metric: fc.constant('lag' as const),
        labels: labels('partition'),
        n: fc.option(value, { nil: undefined }),
      }),
      fc.record({ kind: fc.constant('set' as const), labels: labels('partition'), value }),
      fc.record({
        kind: fc.constant('observe' as const),
        metric: fc.constant('latency' as const),
        labels: labels('output'),
        value,
      }),
      fc.record({ kind: fc.constant('observe' as const), metric: fc.constant('duration' as const), value }),
    ) as fc.Arbitrary<Call>;
    await fc.assert(fc.asyncProperty(fc.array(call, { maxLength: 40 }), expectSame), { numRuns: 100 });
  });

  it('reject the same calls with the same codes, and neither records them', async () => {
    const registry = new Registry();
    const implementations: Metrics[] = [new MemoryMetrics(), promMetrics(registry)];
    const codes = implementations.map((metrics) => {
      const m = define(metrics);
      const attempts = [
        () => m.records.inc({ topic: 'a', offset: 1 } as Labels<'topic'>),
        () => m.records.inc({ topic: 'a' }, -1),
        () => m.records.inc({ topic: 'a' }, Number.NaN),
        () => m.lag.set({ partition: 0 }, Number.NaN),
        () => m.latency.observe({ output: 'x' }, Number.POSITIVE_INFINITY),
        () => metrics.gauge('records_total', 'Records', ['topic', 'partition']),
        () => metrics.counter('records_total', 'Records', ['topic']),
        () => metrics.histogram('latency_ms', 'Latency', ['output'], [1, 5]),
        () => metrics.counter('bad name', 'Bad'),
      ];
      return attempts.map((attempt) => {
        try {
          attempt();
          return 'no error';
        } catch (error) {
          return error instanceof MetricsError ? error.code : String(error);
        }
      });
    });
    expect(codes[0]).toEqual([
      'METRIC_INVALID',
      'METRIC_INVALID',
      'METRIC_INVALID',
      'METRIC_INVALID',
      'METRIC_INVALID',
      'METRIC_CONFLICT',
      'METRIC_CONFLICT',
      'METRIC_CONFLICT',
      'METRIC_INVALID',
    ]);
    expect(codes[1]).toEqual(codes[0]);
    expect(await promSeries(registry, 'records_total')).toEqual([]);
    expect(await promSeries(registry, 'lag_records')).toEqual([]);
    expect(await promSeries(registry, 'latency_ms')).toEqual([]);
  });
});

describe('promMetrics', () => {
  it('creates each metric once and reuses it, from this adapter or another on the same registry', async () => {
    const registry = new Registry();
    promMetrics(registry).counter('records_total', 'Records', ['topic']).inc({ topic: 'a' });
    promMetrics(registry).counter('records_total', 'Records', ['topic']).inc({ topic: 'a' }, 2);
    const metrics = promMetrics(registry);
    metrics.histogram('latency_ms', 'Latency', [], [1, 2]).observe(1.5);
    metrics.histogram('latency_ms', 'Latency').observe(3);

    expect(
      registry
        .getMetricsAsArray()
        .map((m) => m.name)
        .sort(),
    ).toEqual(['latency_ms', 'records_total']);
    expect(await promSeries(registry, 'records_total')).toEqual([{ labels: { topic: 'a' }, value: 3 }]);
    expect((await promSeries(registry, 'latency_ms'))[0]).toMatchObject({
      count: 2,
      buckets: [
        { le: 1, count: 0 },
        { le: 2, count: 1 },
        { le: Infinity, count: 2 },
      ],
    });
  });

  it('reuses a compatible metric registered directly with prom-client, and refuses another type', async () => {
    const registry = new Registry();
    new PromCounter({ name: 'records_total', help: 'Records', labelNames: ['topic'], registers: [registry] });
    new Summary({ name: 'latency_ms', help: 'Latency', registers: [registry] });

    promMetrics(registry).counter('records_total', 'Records', ['topic']).inc({ topic: 'a' });
    expect(await promSeries(registry, 'records_total')).toEqual([{ labels: { topic: 'a' }, value: 1 }]);
    expect(() => promMetrics(registry).histogram('latency_ms', 'Latency')).toThrow(
      expect.objectContaining({ code: 'METRIC_CONFLICT', message: expect.stringContaining('summary') }),
    );
  });

  it("uses prom-client's global registry by default", () => {
    const name = `tributary_test_default_registry_${process.pid}_total`;
    onTestFinished(() => register.removeSingleMetric(name));
    promMetrics().counter(name, 'A test counter').inc();
    expect(register.getSingleMetric(name)).toBeDefined();
  });
});
