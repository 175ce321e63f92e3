import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { TributaryError } from '../../../../src/core/errors.js';
import {
  resolveConnection,
  type ConnectionSources,
  type InfluxConnection,
} from '../../../../src/sinks/influxdb/InfluxConnection.js';

const TOKEN = 's3cr3t-Token_value==';
const files: Record<string, string> = { '/run/secrets/influx': `${TOKEN}\n`, '/run/secrets/blank': '\n' };
const sources = (env: Record<string, string> = {}): ConnectionSources => ({
  env,
  readFile: (path) => {
    const content = files[path];
    if (content === undefined)
      throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return content;
  },
});
const complete: InfluxConnection = {
  url: 'http://127.0.0.1:8086',
  token: TOKEN,
  org: 'acme',
  bucket: 'crypto',
};

/** The complete connection without one field. */
const without = (field: keyof InfluxConnection): InfluxConnection =>
  Object.fromEntries(Object.entries(complete).filter(([key]) => key !== field));

const errorOf = (options: InfluxConnection | undefined, env?: Record<string, string>): TributaryError => {
  const result = resolveConnection(options, sources(env));
  if (E.isRight(result)) throw new Error('expected a configuration error');
  expect(result.left.code).toBe('CONFIG_INVALID');
  expect(JSON.stringify(result.left)).not.toContain(TOKEN);
  return result.left;
};

describe('resolveConnection', () => {
  it('takes the options as given', () => {
    expect(resolveConnection(complete, sources())).toEqual(
      E.right({ url: 'http://127.0.0.1:8086', token: TOKEN, org: 'acme', bucket: 'crypto' }),
    );
  });

  it('fills what the options leave out from the environment, the token from a file', () => {
    const env = {
      INFLUX_URL: 'https://influx.example.com:8086/',
      INFLUX_TOKEN_FILE: '/run/secrets/influx',
      INFLUX_ORG: 'acme',
      INFLUX_BUCKET: 'env-bucket',
    };
    expect(resolveConnection({ bucket: 'crypto' }, sources(env))).toEqual(
      E.right({ url: 'https://influx.example.com:8086', token: TOKEN, org: 'acme', bucket: 'crypto' }),
    );
    expect(
      resolveConnection(undefined, sources({ ...env, INFLUX_TOKEN_FILE: '', INFLUX_TOKEN: TOKEN })),
    ).toEqual(
      E.right({ url: 'https://influx.example.com:8086', token: TOKEN, org: 'acme', bucket: 'env-bucket' }),
    );
  });

  it('names the missing field and where it can come from', () => {
    expect(errorOf(without('url'))).toMatchObject({
      field: 'connection.url',
      message: 'invalid configuration: connection.url is required: give connection.url or set INFLUX_URL',
    });
    expect(errorOf(without('token'))).toMatchObject({
      field: 'connection.token',
      message:
        'invalid configuration: connection.token is required: give connection.token or connection.tokenFile, or set INFLUX_TOKEN or INFLUX_TOKEN_FILE',
    });
    expect(errorOf({ ...complete, org: ' ' })).toMatchObject({ field: 'connection.org' });
    expect(errorOf(without('bucket'))).toMatchObject({
      message:
        'invalid configuration: connection.bucket is required: give connection.bucket or set INFLUX_BUCKET',
    });
  });

  it('rejects URLs that are not http(s), without repeating credentials', () => {
    expect(errorOf({ ...complete, url: '127.0.0.1:8086' })).toMatchObject({
      field: 'connection.url',
      message:
        'invalid configuration: connection.url must be an http:// or https:// URL, got "127.0.0.1:8086"',
    });
    expect(errorOf(undefined, { INFLUX_URL: 'localhost' })).toMatchObject({
      message:
        'invalid configuration: connection.url (INFLUX_URL) must be an http:// or https:// URL, got "localhost"',
    });
    const withPassword = errorOf({ ...complete, url: 'http://admin:hunter2@influx:8086' });
    expect(withPassword.message).toBe(
      'invalid configuration: connection.url must not carry credentials: give the token as connection.token or tokenFile',
    );
    expect(errorOf({ ...complete, url: 'ftp://x:hunter2@host' }).message).not.toContain('hunter2');
  });

  it('checks the token without ever showing it', () => {
    expect(errorOf({ ...complete, tokenFile: '/run/secrets/influx' })).toMatchObject({
      message: 'invalid configuration: connection.token and connection.tokenFile are both given: give one',
    });
    expect(errorOf({ ...without('token'), tokenFile: '/run/secrets/missing' })).toMatchObject({
      field: 'connection.tokenFile',
      message: 'invalid configuration: connection.tokenFile cannot be read: "/run/secrets/missing" (ENOENT)',
    });
    expect(errorOf({ ...without('token'), tokenFile: '/run/secrets/blank' })).toMatchObject({
      message: 'invalid configuration: connection.tokenFile is empty',
    });
    expect(errorOf({ ...complete, token: `${TOKEN} extra` })).toMatchObject({
      message:
        'invalid configuration: connection.token must be printable ASCII without spaces or line breaks (not shown)',
    });
    expect(
      errorOf(
        { url: 'http://127.0.0.1:8086', org: 'o', bucket: 'b' },
        { INFLUX_TOKEN: TOKEN, INFLUX_TOKEN_FILE: '/run/secrets/influx' },
      ),
    ).toMatchObject({
      message:
        'invalid configuration: connection.token (INFLUX_TOKEN) and connection.tokenFile (INFLUX_TOKEN_FILE) are both set: set one',
    });
    expect(
      errorOf({ url: 'http://127.0.0.1:8086', org: 'o', bucket: 'b' }, { INFLUX_TOKEN_FILE: '/nope' }),
    ).toMatchObject({
      field: 'connection.tokenFile',
      message:
        'invalid configuration: connection.tokenFile (INFLUX_TOKEN_FILE) cannot be read: "/nope" (ENOENT)',
    });
  });
});
