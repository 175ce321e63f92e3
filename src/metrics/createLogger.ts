import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino';
import { MetricsError } from './MetricsError.js';
import { secretRedactor } from './secretRedactor.js';

export type { Logger } from 'pino';

/** Options of {@link createLogger}; all optional. */
export interface LoggerOptions {
  /** The application, written as `app` on every line. Default `'tributary'`. */
  readonly app?: string;
  /** The logger's name (a component: `'kafka-source'`, `'influx-sink'`), written as `name`. Default: `app`. */
  readonly name?: string;
  /**
   * The lowest level written: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`. Default: the
   * `TRIBUTARY_LOG_LEVEL` environment variable, else `info`.
   */
  readonly level?: string;
  /** Where the lines go. Default: standard output. Any stream with `write(line)`, e.g. a `Writable`. */
  readonly destination?: DestinationStream;
  /**
   * More secret keys, on top of the standard ones: a key (`'apiKey'`) or a dotted path of keys
   * (`'binance.secretKey'`: `secretKey` directly under `binance`), matched at any depth.
   */
  readonly redact?: readonly string[];
}

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEYS = ['password', 'passphrase', 'secret', 'token', 'sasl', 'ssl.key', 'authorization'];

const CENSOR = '[redacted]';

const LEVELS = new Set([...Object.keys(pino.levels.values), 'silent']);

/**
 * A pino logger writing one JSON object per line (JSON Lines) to standard output or `destination`, for a
 * log collector to parse: a message with line breaks stays on one line, escaped. Every line carries
 * `level` (pino's number: 30 is info), `time` (ms since epoch), `app`, `pid`, `name` and `msg`, plus the
 * fields logged with it.
 *
 * Secrets are written as `"[redacted]"`, so that a configuration object can be logged as it is: the value
 * under any key `password`, `passphrase`, `secret`, `token`, `sasl` or `authorization`, and under `key`
 * directly in an `ssl` object, at any depth of plain objects and arrays, in logged fields and in child
 * loggers' bindings. The logged object itself is never changed. Redaction does not look inside strings
 * (do not interpolate secrets into messages) nor inside class instances and errors.
 *
 * The level comes from `options.level`, else `TRIBUTARY_LOG_LEVEL`, else `info`; an unknown level throws a
 * `CONFIG_INVALID` {@link MetricsError} naming where it came from.
 *
 * @example
 * ```ts
 * import { createLogger } from 'tributary/metrics';
 *
 * const log = createLogger({ app: 'crypto-analytics', name: 'kafka-source' });
 * log.info(
 *   {
 *     kafka: {
 *       brokers: ['localhost:9092'],
 *       sasl: { mechanism: 'plain', username: 'app', password: 'hunter2' },
 *     },
 *   },
 *   'connecting',
 * );
 * // {"level":30,"time":1723161600000,"app":"crypto-analytics","pid":4242,"name":"kafka-source",
 * //  "kafka":{"brokers":["localhost:9092"],"sasl":"[redacted]"},"msg":"connecting"}   (one line)
 * ```
 */
export const createLogger = (options: LoggerOptions = {}): Logger => {
  const app = options.app ?? 'tributary';
  const fromEnv = process.env['TRIBUTARY_LOG_LEVEL']?.trim().toLowerCase();
  const [level, field] =
    options.level !== undefined
      ? [options.level, 'level']
      : fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, 'TRIBUTARY_LOG_LEVEL']
        : ['info', 'level'];
  if (!LEVELS.has(level))
    throw new MetricsError(
      'CONFIG_INVALID',
      `invalid configuration: ${field} must be one of ${[...LEVELS].join(', ')}, got ${JSON.stringify(level)}`,
      { field },
    );

  const redact = secretRedactor([...SECRET_KEYS, ...(options.redact ?? [])], CENSOR);
  const settings = {
    level,
    name: options.name ?? app,
    base: { app, pid: process.pid },
    formatters: { log: (object: Record<string, unknown>) => redact(object) },
  };
  const logger = options.destination === undefined ? pino(settings) : pino(settings, options.destination);

  // Children are created with Object.create(parent), so these overrides reach every descendant; pino's
  // bindings formatter would not (a child resets it).
  const { child, setBindings } = logger;
  logger.child = function <L extends string = never>(
    this: Logger,
    bindings: Bindings,
    childOptions?: ChildLoggerOptions<L>,
  ) {
    return child.call<Logger, [Bindings, ChildLoggerOptions<L>?], Logger<L>>(
      this,
      redact(bindings),
      childOptions,
    );
  };
  logger.setBindings = function (this: Logger, bindings: Bindings) {
    setBindings.call(this, redact(bindings));
  };
  return logger;
};
