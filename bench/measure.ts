/** One benchmark row: throughput, CPU cost and latency percentiles of one timed run. */
export interface Measurement {
  readonly name: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** User + system CPU seconds spent per million records. */
  readonly cpuSecondsPerMillion: number;
  /** Latency percentiles in ms (p50, p99, max) of whatever unit the run timed. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * A row from what a run observed: `records` in `seconds` of wall clock, `cpuSeconds` of user + system CPU,
 * and the latencies of whatever unit it timed, in ms (none: NaN percentiles).
 */
export function toMeasurement(
  name: string,
  records: number,
  seconds: number,
  cpuSeconds: number,
  latencies: readonly number[] = [],
): Measurement {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    records,
    seconds,
    recordsPerSecond: records / seconds,
    cpuSecondsPerMillion: cpuSeconds / (records / 1e6),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** The run with the median rate. */
export function medianRun(runs: readonly Measurement[]): Measurement {
  return [...runs].sort((a, b) => a.recordsPerSecond - b.recordsPerSecond)[Math.floor(runs.length / 2)]!;
}

/**
 * Times `run` (wall clock and CPU): once to warm up the JIT, then `repeats` times; reports the median run.
 * `run` returns the latencies it observed, in ms.
 */
export function measure(
  name: string,
  records: number,
  run: () => readonly number[],
  repeats = 5,
): Measurement {
  run();
  const runs: Measurement[] = [];
  for (let i = 0; i < repeats; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const latencies = run();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    runs.push(toMeasurement(name, records, seconds, (used.user + used.system) / 1e6, latencies));
  }
  return medianRun(runs);
}

/** Prints measurements as an aligned table on stdout. */
export function printTable(rows: readonly Measurement[], footnote?: string): void {
  const header = ['benchmark', 'records', 'records/s', 'CPU-s / M records', 'p50 ms', 'p99 ms', 'max ms'];
  const cells = rows.map((r) => [
    r.name,
    r.records.toLocaleString('en-US'),
    Math.round(r.recordsPerSecond).toLocaleString('en-US'),
    r.cpuSecondsPerMillion.toFixed(3),
    r.p50.toFixed(3),
    r.p99.toFixed(3),
    r.max.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const c of cells) process.stdout.write(`${line(c)}\n`);
  if (footnote) process.stdout.write(`${footnote}\n`);
}
