import { Command, Option } from 'commander';
import { processIo, type CliIo } from './CliIo.js';
import { replayCommand } from './replayCommand.js';

/**
 * The crypto example's command line: one program, one subcommand per way of running the pipeline.
 * Each command adds its own options; `--log-level` applies to all.
 */
export const createProgram = (io: CliIo = processIo): Command =>
  new Command('tributary-crypto')
    .description('The crypto analytics example: Binance trades → per-symbol moving averages.')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .addOption(
      new Option('--log-level <level>', 'lowest level logged (trace, debug, info, warn, error, silent)').env(
        'TRIBUTARY_LOG_LEVEL',
      ),
    )
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError()
    .addCommand(replayCommand(io));
