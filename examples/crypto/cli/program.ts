import { Command, Option } from 'commander';
import { processIo, type CliIo } from './CliIo.js';
import { startCommand } from './startCommand.js';
import { processCommand } from './processCommand.js';
import { produceCommand } from './produceCommand.js';
import { replayCommand } from './replayCommand.js';

/**
 * The crypto example's command line: one program, one subcommand per way of running the pipeline.
 * Each command adds its own options; `--log-level` applies to all.
 */
export const createProgram = (io: CliIo = processIo): Command => {
  const program = new Command('tributary-crypto')
    .description('The crypto analytics example: Binance trades → per-symbol moving averages.')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .addOption(
      new Option('--log-level <level>', 'lowest level logged')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .env('TRIBUTARY_LOG_LEVEL'),
    )
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError();
  // Commands added whole do not inherit the program's output and error settings by themselves.
  for (const command of [startCommand(io), produceCommand(io), processCommand(io), replayCommand(io)])
    program.addCommand(command.copyInheritedSettings(program));
  return program;
};
