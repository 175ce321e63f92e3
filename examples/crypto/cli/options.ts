import * as E from 'fp-ts/lib/Either.js';
import { InvalidArgumentError } from 'commander';
import { Duration } from '../../../src/index.js';

/**
 * A commander argument parser for a duration: `'30s'`, `'1m'`, `'1m30s'`, `'500ms'`, or a whole number of
 * milliseconds. `positive` rejects zero. A bad value is an `InvalidArgumentError`, which commander reports
 * naming the option and where its value came from (the command line or an environment variable).
 */
export const durationArgument =
  ({ positive }: { readonly positive: boolean }) =>
  (text: string): number => {
    const input = /^\d+$/.test(text.trim()) ? Number(text) : text;
    const ms = Duration.toMillis(input);
    if (E.isLeft(ms)) {
      throw new InvalidArgumentError(
        `Expected a duration like '500ms', '30s', '1m', '1m30s' or whole milliseconds.`,
      );
    }
    if (positive && ms.right <= 0) throw new InvalidArgumentError('Expected a duration greater than zero.');
    return ms.right;
  };
