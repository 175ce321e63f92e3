/**
 * What `examples.test.ts` and `docComments.test.ts` share: an example file as the documentation shows it,
 * the examples that doc comments show, and the output of running an example.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { format } from 'node:util';
import { vi } from 'vitest';

export const docsDir = new URL('./', import.meta.url);
const END_OF_EXAMPLE = '// ---- end of documented example ----';

/** The package entries the examples import, as the files reach them and as a user of the package writes them. */
const ENTRIES: readonly (readonly [string, string])[] = [
  ["'../../src/index.js'", "'tributary'"],
  ["'../../src/testing/index.js'", "'tributary/testing'"],
  ["'../../src/metrics/index.js'", "'tributary/metrics'"],
  ["'../../src/sinks/influxdb/index.js'", "'tributary/influxdb'"],
];

/** The part of an example file (`examples/X.ts`) that the docs show, with the imports a user of the package writes. */
export const shown = (file: string): string => {
  const text = readFileSync(new URL(file, docsDir), 'utf8');
  const end = text.indexOf(END_OF_EXAMPLE);
  return ENTRIES.reduce(
    (code, [path, entry]) => code.replaceAll(path, entry),
    end === -1 ? text : text.slice(0, end),
  ).trimEnd();
};

/** Runs an example module and returns what it printed with `console.log`. */
export const printed = async (load: () => Promise<unknown>): Promise<string[]> => {
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

/** A declaration exported from a source file, with whether a doc comment precedes it and the comment's example. */
export interface Declaration {
  readonly file: string;
  readonly name: string;
  readonly documented: boolean;
  /** The comment's ```ts block without the leading `* `; it is the example file `examples/<name>.ts`. */
  readonly example: string | undefined;
}

/** The source directories whose doc comments show example files from `examples/`. */
export const documentedSources = [new URL('../src/metrics/', import.meta.url)];

/** Each declaration exported from the `.ts` files of a source directory. */
export const declarationsIn = (dir: URL): Declaration[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
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
