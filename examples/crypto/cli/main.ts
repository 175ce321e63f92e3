/**
 * The crypto example's command line:
 *
 *   npm run crypto -- --help
 *   npm run crypto -- replay --input btcusdt.gz ethusdt.gz --output averages.jsonl
 */
import { createProgram } from './program.js';

createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
