import * as E from 'fp-ts/lib/Either.js';
import { configError, type TributaryError } from '../../core/errors.js';

/**
 * Where an InfluxDB 2 server is and how to write to it. Every field falls back to an environment
 * variable: `INFLUX_URL`, `INFLUX_TOKEN` (or `INFLUX_TOKEN_FILE`, a file holding the token, as Docker and
 * Kubernetes secrets are mounted), `INFLUX_ORG` and `INFLUX_BUCKET`. The token is never logged and never
 * appears in an error.
 *
 * @example
 * ```ts
 * import type { InfluxConnection } from 'tributary/influxdb';
 * const local: InfluxConnection = {
 *   url: 'http://127.0.0.1:8086',
 *   tokenFile: '/run/secrets/influx-token',
 *   org: 'tributary',
 *   bucket: 'crypto',
 * };
 * ```
 */
export interface InfluxConnection {
  /** `http://` or `https://` base URL of the server. Default: `INFLUX_URL`. */
  readonly url?: string;
  /** An API token with write access to the bucket. Default: `INFLUX_TOKEN`. */
  readonly token?: string;
  /** A file holding the token (surrounding whitespace is ignored). Default: `INFLUX_TOKEN_FILE`. */
  readonly tokenFile?: string;
  /** Default: `INFLUX_ORG`. */
  readonly org?: string;
  /** Default: `INFLUX_BUCKET`. */
  readonly bucket?: string;
}

/** A checked connection. Internal; the token is held only by the client that is built from it. */
export interface ResolvedConnection {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
}

/** What resolving reads besides the options: the environment and files (injected, so tests need neither). */
export interface ConnectionSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
}

const present = (value: string | undefined): value is string => value !== undefined && value !== '';

const fromOptionOrEnv = (
  field: keyof InfluxConnection,
  variable: string,
  options: InfluxConnection,
  env: ConnectionSources['env'],
): E.Either<TributaryError, string> => {
  const given = options[field];
  if (given !== undefined) {
    return typeof given === 'string' && given.trim() !== ''
      ? E.right(given.trim())
      : E.left(configError(`connection.${field}`, 'must be a non-empty string'));
  }
  const fromEnv = env[variable];
  return present(fromEnv) && fromEnv.trim() !== ''
    ? E.right(fromEnv.trim())
    : E.left(configError(`connection.${field}`, `is required: give connection.${field} or set ${variable}`));
};

const checkUrl = (url: string, source: string): E.Either<TributaryError, string> => {
  // A URL with user information may carry a password: never repeat it.
  const shown = url.includes('@') ? '(not shown: it contains "@")' : JSON.stringify(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return E.left(configError('connection.url', `${source}must be an http:// or https:// URL, got ${shown}`));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return E.left(configError('connection.url', `${source}must be an http:// or https:// URL, got ${shown}`));
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return E.left(
      configError(
        'connection.url',
        `${source}must not carry credentials: give the token as connection.token or tokenFile`,
      ),
    );
  }
  return E.right(url.replace(/\/+$/, ''));
};

/** Printable ASCII without spaces: what an HTTP header can carry, as every InfluxDB token is. */
const TOKEN = /^[\x21-\x7e]+$/;

interface FoundToken {
  readonly field: string;
  /** Where the value came from, when not from the field itself: `(INFLUX_TOKEN) `. */
  readonly via: string;
  readonly token: unknown;
}

const readToken = (
  field: string,
  via: string,
  path: unknown,
  readFile: ConnectionSources['readFile'],
): E.Either<TributaryError, FoundToken> => {
  if (typeof path !== 'string' || path === '') return E.left(configError(field, `${via}must be a file path`));
  try {
    return E.right({ field, via, token: readFile(path) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return E.left(
      configError(
        field,
        `${via}cannot be read: ${JSON.stringify(path)} (${typeof code === 'string' ? code : 'error'})`,
      ),
    );
  }
};

/** The token from the options (`token`, else `tokenFile`), else the environment; never shown in errors. */
const resolveToken = (
  options: InfluxConnection,
  sources: ConnectionSources,
): E.Either<TributaryError, string> => {
  const { env, readFile } = sources;
  let found: E.Either<TributaryError, FoundToken>;
  if (options.token !== undefined && options.tokenFile !== undefined) {
    found = E.left(configError('connection.token', 'and connection.tokenFile are both given: give one'));
  } else if (options.token !== undefined) {
    found = E.right({ field: 'connection.token', via: '', token: options.token });
  } else if (options.tokenFile !== undefined) {
    found = readToken('connection.tokenFile', '', options.tokenFile, readFile);
  } else if (present(env.INFLUX_TOKEN) && present(env.INFLUX_TOKEN_FILE)) {
    found = E.left(
      configError(
        'connection.token',
        '(INFLUX_TOKEN) and connection.tokenFile (INFLUX_TOKEN_FILE) are both set: set one',
      ),
    );
  } else if (present(env.INFLUX_TOKEN)) {
    found = E.right({ field: 'connection.token', via: '(INFLUX_TOKEN) ', token: env.INFLUX_TOKEN });
  } else if (present(env.INFLUX_TOKEN_FILE)) {
    found = readToken('connection.tokenFile', '(INFLUX_TOKEN_FILE) ', env.INFLUX_TOKEN_FILE, readFile);
  } else {
    found = E.left(
      configError(
        'connection.token',
        'is required: give connection.token or connection.tokenFile, or set INFLUX_TOKEN or INFLUX_TOKEN_FILE',
      ),
    );
  }
  if (E.isLeft(found)) return found;
  const { field, via, token } = found.right;
  if (typeof token !== 'string') return E.left(configError(field, `${via}must be a string`));
  const trimmed = token.trim();
  if (trimmed === '') return E.left(configError(field, `${via}is empty`));
  if (!TOKEN.test(trimmed)) {
    return E.left(
      configError(field, `${via}must be printable ASCII without spaces or line breaks (not shown)`),
    );
  }
  return E.right(trimmed);
};

/**
 * Checks a connection, filling what it leaves out from the environment; the error names the first bad
 * field (`connection.url`, `connection.token`, …) and never shows the token.
 */
export const resolveConnection = (
  options: InfluxConnection | undefined,
  sources: ConnectionSources,
): E.Either<TributaryError, ResolvedConnection> => {
  const given = options ?? {};
  if (typeof given !== 'object' || given === null) {
    return E.left(configError('connection', 'must be an object'));
  }
  const fromEnv = given.url === undefined;
  const url = fromOptionOrEnv('url', 'INFLUX_URL', given, sources.env);
  if (E.isLeft(url)) return url;
  const checked = checkUrl(url.right, fromEnv ? '(INFLUX_URL) ' : '');
  if (E.isLeft(checked)) return checked;
  const token = resolveToken(given, sources);
  if (E.isLeft(token)) return token;
  const org = fromOptionOrEnv('org', 'INFLUX_ORG', given, sources.env);
  if (E.isLeft(org)) return org;
  const bucket = fromOptionOrEnv('bucket', 'INFLUX_BUCKET', given, sources.env);
  if (E.isLeft(bucket)) return bucket;
  return E.right({ url: checked.right, token: token.right, org: org.right, bucket: bucket.right });
};
