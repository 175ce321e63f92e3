import { type Command } from 'commander';
import { createProgram } from '../../../../examples/crypto/cli/program.js';

/**
 * Runs the crypto command line in this process on `args`, with what it prints captured and its exits
 * turned into errors (`CommanderError`): the result has the error it stopped with, if any.
 */
export const runProgram = async (args: readonly string[]) => {
  let stdout = '';
  let stderr = '';
  const program = createProgram({
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  const exitOverride = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(exitOverride);
  };
  exitOverride(program);
  const error = await program.parseAsync(['node', 'tributary-crypto', ...args]).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, stdout, stderr };
};
