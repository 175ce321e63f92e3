import { describe, expect, it } from 'vitest';
import { MemoryMetrics } from '../../../src/metrics/MemoryMetrics.js';
import { noopMetrics } from '../../../src/metrics/Metrics.js';
import { MetricsError, type MetricsErrorCode } from '../../../src/metrics/MetricsError.js';

/** The code of the {@link MetricsError} `run` throws, or fails the test. */
const codeOf = (run: () => unknown): MetricsErrorCode => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).retriable).toBe(false);
    return (error as MetricsError).code;
  }
  throw new Error('expected a MetricsError');
};

describe('MemoryMetrics', () => {
  it('adds counter increments per series; numbers and their text are the same label value', () => {
    const metrics = new MemoryMetrics();
    const records = metrics.counter('records_total', 'Records', ['topic', 'partition']);
    records.inc({ topic: 'trades', partition: 0 });
    records.inc({ topic: 'trades', partition: '0' }, 4);
    records.inc({ partition: 0, topic: 'trades' }, 0.5);
    records.inc({ topic: 'trades', partition: 1 }, 2);

    expect(metrics.value('records_total', { topic: 'trades', partition: 0 })).toBe(5.5);
    expect(metrics.value('records_total', { topic: 'trades', partition: 1 })).toBe(2);
    expect(metrics.value('records_total', { topic: 'trades', partition: 2 })).toBeUndefined();
    expect(metrics.value('records_total', { topic: 'trades' })).toBeUndefined();
    expect(metrics.value('unknown_total')).toBeUndefined();
  });

  it('keeps a label left out apart from an empty label value', () => {
    const metrics = new MemoryMetrics();
    const records = metrics.counter('records_total', 'Records', ['topic']);
    records.inc();
    records.inc({}, 2);
    records.inc({ topic: '' }, 10);

    expect(metrics.value('records_total')).toBe(3);
    expect(metrics.value('records_total', {})).toBe(3);
    expect(metrics.value('records_total', { topic: '' })).toBe(10);
  });

  it('starts a metric without labels at 0, and a labelled series once written', () => {
    const metrics = new MemoryMetrics();
    metrics.counter('failures_total', 'Failures');
    metrics.gauge('buffered', 'Buffered');
    metrics.histogram('duration_seconds', 'Durations');
    metrics.counter('late_total', 'Late', ['operator']);

    expect(metrics.value('failures_total')).toBe(0);
    expect(metrics.value('buffered')).toBe(0);
    expect([metrics.count('duration_seconds'), metrics.sum('duration_seconds')]).toEqual([0, 0]);
    expect(metrics.value('late_total', { operator: 'candles' })).toBeUndefined();
  });

  it('sets gauges and moves them both ways', () => {
    const metrics = new MemoryMetrics();
    const lag = metrics.gauge('lag_records', 'Lag', ['partition']);
    lag.set({ partition: 3 }, 120);
    lag.inc({ partition: 3 }, -20);
    lag.inc({ partition: 3 });
    const buffered = metrics.gauge('buffered', 'Buffered');
    buffered.set(7);
    buffered.inc(-7);

    expect(metrics.value('lag_records', { partition: 3 })).toBe(101);
    expect(metrics.value('buffered')).toBe(0);
  });

  it('counts histogram observations into cumulative buckets, a value on a bound in that bucket', () => {
    const metrics = new MemoryMetrics();
    const latency = metrics.histogram('latency_ms', 'Latency', ['output'], [5, 10, 20]);
    for (const ms of [1, 5, 7, 20, 21, 300]) latency.observe({ output: 'candles' }, ms);

    expect(metrics.count('latency_ms', { output: 'candles' })).toBe(6);
    expect(metrics.sum('latency_ms', { output: 'candles' })).toBe(354);
    expect(metrics.buckets('latency_ms', { output: 'candles' })).toEqual([
      { le: 5, count: 2 },
      { le: 10, count: 3 },
      { le: 20, count: 4 },
      { le: Infinity, count: 6 },
    ]);
    expect(metrics.count('latency_ms', { output: 'averages' })).toBeUndefined();
    expect(metrics.buckets('latency_ms', { output: 'averages' })).toEqual([]);
  });

  it('uses Prometheus default buckets when none are given', () => {
    const metrics = new MemoryMetrics();
    metrics.histogram('duration_seconds', 'Durations').observe(0.3);
    expect(metrics.buckets('duration_seconds').map((b) => b.le)).toEqual([
      0.005,
      0.01,
      0.025,
      0.05,
      0.1,
      0.25,
      0.5,
      1,
      2.5,
      5,
      10,
      Infinity,
    ]);
  });

  it('returns the same metric for the same definition, whatever the help text', () => {
    const metrics = new MemoryMetrics();
    metrics.counter('records_total', 'Records', ['topic', 'operator']).inc({ topic: 'a' });
    metrics.counter('records_total', 'Other help', ['operator', 'topic']).inc({ topic: 'a' });
    metrics.histogram('latency_ms', 'Latency', [], [1, 2]).observe(1);
    metrics.histogram('latency_ms', 'Latency').observe(3);

    expect(metrics.value('records_total', { topic: 'a' })).toBe(2);
    expect(metrics.buckets('latency_ms')).toEqual([
      { le: 1, count: 1 },
      { le: 2, count: 1 },
      { le: Infinity, count: 2 },
    ]);
  });

  it('rejects a name defined again as something else', () => {
    const metrics = new MemoryMetrics();
    metrics.counter('records_total', 'Records', ['topic']);
    metrics.histogram('latency_ms', 'Latency', [], [1, 2]);

    expect(codeOf(() => metrics.gauge('records_total', 'Records', ['topic']))).toBe('METRIC_CONFLICT');
    expect(codeOf(() => metrics.counter('records_total', 'Records', ['operator']))).toBe('METRIC_CONFLICT');
    expect(codeOf(() => metrics.counter('records_total', 'Records'))).toBe('METRIC_CONFLICT');
    expect(codeOf(() => metrics.histogram('latency_ms', 'Latency', [], [1, 3]))).toBe('METRIC_CONFLICT');
    expect(codeOf(() => metrics.count('records_total'))).toBe('METRIC_CONFLICT');
    expect(codeOf(() => metrics.value('latency_ms'))).toBe('METRIC_CONFLICT');
  });

  it('rejects bad names, undeclared labels and values that are not finite, recording nothing', () => {
    const metrics = new MemoryMetrics();
    const records = metrics.counter('records_total', 'Records', ['topic']);
    const lag = metrics.gauge('lag', 'Lag');
    const latency = metrics.histogram('latency_ms', 'Latency', ['output']);
    const labels = { partition: 0 } as { topic?: string };

    expect(codeOf(() => metrics.counter('records-total', 'Records'))).toBe('METRIC_INVALID');
    expect(codeOf(() => metrics.counter('ok_total', 'Records', ['a-b']))).toBe('METRIC_INVALID');
    expect(codeOf(() => metrics.counter('ok_total', 'Records', ['__reserved']))).toBe('METRIC_INVALID');
    expect(codeOf(() => metrics.counter('ok_total', 'Records', ['a', 'a']))).toBe('METRIC_INVALID');
    expect(codeOf(() => metrics.histogram('h', 'H', ['le']))).toBe('METRIC_INVALID');
    expect(codeOf(() => metrics.histogram('h', 'H', [], [2, 1]))).toBe('METRIC_INVALID');
    expect(codeOf(() => metrics.histogram('h', 'H', [], []))).toBe('METRIC_INVALID');
    expect(codeOf(() => records.inc(labels))).toBe('METRIC_INVALID');
    expect(codeOf(() => records.inc({ topic: 'a' }, -1))).toBe('METRIC_INVALID');
    expect(codeOf(() => records.inc({ topic: 'a' }, Number.NaN))).toBe('METRIC_INVALID');
    expect(codeOf(() => lag.set(Number.POSITIVE_INFINITY))).toBe('METRIC_INVALID');
    expect(codeOf(() => latency.observe({ output: 'x' }, Number.NaN))).toBe('METRIC_INVALID');
    expect(codeOf(() => metrics.value('records_total', labels))).toBe('METRIC_INVALID');

    expect(metrics.value('records_total', { topic: 'a' })).toBeUndefined();
    expect(metrics.value('lag')).toBe(0);
    expect(metrics.count('latency_ms', { output: 'x' })).toBeUndefined();
  });
});

describe('noopMetrics', () => {
  it('accepts every call and hands out shared handles', () => {
    const counter = noopMetrics.counter('records_total', 'Records', ['topic']);
    counter.inc({ topic: 'a' }, 5);
    noopMetrics.gauge('lag', 'Lag').set(3);
    noopMetrics.histogram('latency_ms', 'Latency', [], [1]).observe(2);

    expect(noopMetrics.counter('other_total', 'Other')).toBe(counter);
  });
});
