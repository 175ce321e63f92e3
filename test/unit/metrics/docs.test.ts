/**
 * The examples of the metrics layer, in its doc comments and in docs/observability.md, are the files in
 * `examples/` (type-checked with the project), shown with `'tributary'` in place of the stand-in entry.
 * Here each shown example is checked against its file, every public export is checked for a doc comment
 * (and the functions, classes and constants for an example), and the examples are run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

const srcDir = new URL('../../../src/metrics/', import.meta.url);
const examplesDir = new URL('./examples/', import.meta.url);
const page = readFileSync(new URL('../../../docs/observability.md', import.meta.url), 'utf8');
const PAGE_PREFIX = '../test/unit/metrics/examples/';

/** An example file as the documentation shows it, importing from the package. */
const shown = (file: string): string =>
  readFileSync(new URL(file, examplesDir), 'utf8').replaceAll("'./tributary.js'", "'tributary'").trimEnd();

/** The names the stand-in entry re-exports from `src/metrics/`: the layer's public API. */
const publicNames = [
  ...readFileSync(new URL('tributary.ts', examplesDir), 'utf8').matchAll(/export \{([^}]*)\}/g),
]
  .flatMap(([, names]) => names!.split(','))
  .map((name) => name.trim().replace(/^type /, ''))
  .filter((name) => name !== '');

/** Each declaration exported from `src/metrics/`, with the doc comment right above it. */
const declarations = readdirSync(srcDir).flatMap((file) => {
  const text = readFileSync(new URL(file, srcDir), 'utf8');
  return [
    ...text.matchAll(
      /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?export (?:const|class|interface|type|function) (\w+)/g,
    ),
  ].map(([, doc, name]) => {
    const block = /```ts\n([\s\S]*?)\n\s*\* ```/.exec(doc ?? '')?.[1];
    const example = block
      ?.split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    return { file, name: name!, documented: doc !== undefined, example };
  });
});

/** Runs an example module and returns what it printed with `console.log`. */
const printed = async (load: () => Promise<unknown>): Promise<string[]> => {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(format(...args));
  });
  try {
    await load();
  } finally {
    spy.mockRestore();
  }
  return lines;
};

describe('metrics documentation', () => {
  it('documents every public export, with an example for each value and for Metrics', () => {
    const declared = new Map(declarations.map((d) => [d.name, d]));
    const undocumented = publicNames.filter((name) => declared.has(name) && !declared.get(name)!.documented);
    expect(undocumented).toEqual([]);
    const values = declarations.filter(
      (d) => publicNames.includes(d.name) && /^[a-z]|^(MemoryMetrics|MetricsError|Metrics)$/.test(d.name),
    );
    expect(values.filter((d) => d.example === undefined).map((d) => d.name)).toEqual([]);
  });

  it('shows each example file verbatim, in a doc comment named after it or on the page', () => {
    const inComments = declarations.filter((d) => d.example !== undefined);
    for (const { name, example } of inComments) expect(example, name).toBe(shown(`${name}.ts`));

    const blocks = [...page.matchAll(/<!-- example: (\S+) -->\n```\n([\s\S]*?)\n```/g)];
    for (const [, path, code] of blocks) {
      expect(path!.startsWith(PAGE_PREFIX), path).toBe(true);
      expect(code, path).toBe(shown(path!.slice(PAGE_PREFIX.length)));
    }
    const used = new Set([
      ...inComments.map((d) => `${d.name}.ts`),
      ...blocks.map(([, path]) => path!.slice(PAGE_PREFIX.length)),
      'tributary.ts',
    ]);
    expect(readdirSync(examplesDir).filter((file) => !used.has(file))).toEqual([]);
  });

  it('the examples print what they say', async () => {
    expect(await printed(() => import('./examples/Metrics.js'))).toEqual(['2 64100']);
    expect(await printed(() => import('./examples/MemoryMetrics.js'))).toEqual([
      '2 0.32',
      '{ le: 0.25, count: 1 }',
    ]);
    expect(await printed(() => import('./examples/MetricsError.js'))).toEqual(['METRIC_CONFLICT false']);
    expect(await printed(() => import('./examples/noopMetrics.js'))).toEqual([]);
    expect(await printed(() => import('./examples/metricNames.js'))).toEqual([
      "tributary_consumer_lag_records gauge [ 'topic', 'partition' ]",
    ]);
    expect(await printed(() => import('./examples/standardMetrics.js'))).toEqual(['1200']);
    expect(await printed(() => import('./examples/promMetrics.js'))).toEqual([
      [
        '# HELP tributary_records_in_total Records an operator received, by operator and source topic.',
        '# TYPE tributary_records_in_total counter',
        'tributary_records_in_total{operator="source",topic="trades"} 3',
      ].join('\n'),
    ]);
    expect(await printed(() => import('./examples/serveMetrics.js'))).toEqual([
      'text/plain; version=0.0.4; charset=utf-8',
      'build_info{version="0.1.0"} 1',
    ]);
    expect(await printed(() => import('./examples/prometheus.js'))).toEqual([
      '[\n  \'tributary_consumer_lag_records{topic="binance.trades",partition="0"} 42\'\n]',
    ]);
    expect(await printed(() => import('./examples/ownRegistry.js'))).toEqual([
      'tributary_late_records_total:1|c|#operator:candles,topic:binance.trades',
      'tributary_sink_buffered_records:+250|g|#sink:influx',
      'tributary_end_to_end_latency_milliseconds:12|h|#output:candles',
    ]);
  });
});
