import * as E from 'fp-ts/lib/Either.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
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

/** A comma-separated list, blanks trimmed, empty items left out. */
export const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** A commander argument parser for `host:port[,host:port…]`. */
export const brokersArgument = (text: string): string[] => {
  const brokers = list(text);
  if (brokers.length === 0) throw new InvalidArgumentError('Expected host:port[,host:port…].');
  for (const broker of brokers) {
    const port = /^[^\s:]+:(\d+)$/.exec(broker)?.[1];
    if (port === undefined || Number(port) < 1 || Number(port) > 65_535) {
      throw new InvalidArgumentError(`Expected host:port[,host:port…], got '${broker}'.`);
    }
  }
  return brokers;
};

/** `--brokers` and `--client`, the Kafka a command reads or writes, as `produce` and `process` share them. */
export const kafkaOptions = (): Option[] => [
  new Option('--brokers <list>', 'Kafka brokers, host:port[,host:port…] (required)')
    .env('KAFKA_BROKERS')
    .argParser(brokersArgument),
  new Option('--client <name>', 'Kafka client')
    .choices(['kafkajs', 'platformatic'])
    .env('CRYPTO_KAFKA_CLIENT')
    .default('kafkajs'),
];

/** A duration option: its flag, help, environment variable and default (in ms, shown as written). */
export const durationOption = (
  flags: string,
  description: string,
  env: string,
  { positive, fallback }: { readonly positive: boolean; readonly fallback?: string },
): Option => {
  const option = new Option(flags, description).env(env).argParser(durationArgument({ positive }));
  if (fallback === undefined) return option;
  return option.default(durationArgument({ positive })(fallback), fallback);
};

/** `--window`, `--slide` and `--watermark`, as `replay` and `process` share them. */
export const windowOptions = (): Option[] => [
  durationOption('--window <duration>', 'window size', 'CRYPTO_WINDOW', { positive: true, fallback: '30s' }),
  durationOption('--slide <duration>', 'how far each window starts after the previous one', 'CRYPTO_SLIDE', {
    positive: true,
    fallback: '5s',
  }),
  durationOption(
    '--watermark <duration>',
    'how far the watermark trails the largest trade time seen',
    'CRYPTO_WATERMARK',
    { positive: false, fallback: '1m' },
  ),
];

/** Adds options to a command; returns it, for chaining. */
export const withOptions = (command: Command, options: readonly Option[]): Command => {
  for (const option of options) command.addOption(option);
  return command;
};
