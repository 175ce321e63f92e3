/**
 * The doc comments of `tributary/metrics` (src/metrics/): every public export has one, each value (and
 * `Metrics`) has an example, and each example is the file `examples/<name>.ts`, shown as in the pages.
 * `examples.test.ts` runs those files and asserts their output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { declarationsIn, shown } from './harness.js';

const metricsDir = new URL('../src/metrics/', import.meta.url);

/** The names `src/metrics/index.ts` exports: the public API of `tributary/metrics`. */
const publicNames = [...readFileSync(new URL('index.ts', metricsDir), 'utf8').matchAll(/export \{([^}]*)\}/g)]
  .flatMap(([, names]) => names!.split(','))
  .map((name) => name.trim().replace(/^type /, ''))
  .filter((name) => name !== '');

const declarations = declarationsIn(metricsDir);
const withExamples = declarations.filter((d) => d.example !== undefined);

describe('tributary/metrics doc comments', () => {
  it('exports something', () => {
    expect(publicNames).toContain('MemoryMetrics');
    expect(withExamples.length).toBeGreaterThan(0);
  });

  it('documents every public export, with an example for each value and for Metrics', () => {
    const declared = new Map(declarations.map((d) => [d.name, d]));
    const undocumented = publicNames.filter((name) => declared.has(name) && !declared.get(name)!.documented);
    expect(undocumented).toEqual([]);
    const values = declarations.filter(
      (d) => publicNames.includes(d.name) && /^[a-z]|^(MemoryMetrics|MetricsError|Metrics)$/.test(d.name),
    );
    expect(values.filter((d) => d.example === undefined).map((d) => d.name)).toEqual([]);
  });

  it('shows the example file named after the declaration, verbatim, importing from tributary/metrics', () => {
    for (const { name, example } of withExamples) expect(example, name).toBe(shown(`examples/${name}.ts`));
  });
});
