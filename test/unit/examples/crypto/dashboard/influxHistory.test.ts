import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { resolveConnection } from '../../../../../examples/crypto/dashboard/influxHistory.js';
import { influxHistory } from '../../../../../examples/crypto/dashboard/index.js';

const good = { url: 'http://127.0.0.1:8086', token: 'secret-token', org: 'o', bucket: 'b' };
const tokenless = { url: good.url, org: good.org, bucket: good.bucket };

describe('the InfluxDB history connection', () => {
  test('is the sink’s: each field left out comes from its environment variable', () => {
    expect(
      resolveConnection(
        {},
        { INFLUX_URL: 'http://i:8086', INFLUX_TOKEN: ' t ', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b' },
      ),
    ).toEqual({
      url: 'http://i:8086',
      token: 't',
      org: 'o',
      bucket: 'b',
    });
    expect(
      resolveConnection(
        { bucket: 'mine' },
        { INFLUX_URL: 'http://i', INFLUX_TOKEN: 't', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b' },
      ).bucket,
    ).toBe('mine');
  });

  test('reads the token from a file, as secrets are mounted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-dashboard-'));
    try {
      writeFileSync(join(dir, 'token'), 'from-file\n');
      const { token } = resolveConnection(tokenless, { INFLUX_TOKEN_FILE: join(dir, 'token') });
      expect(token).toBe('from-file');
      expect(() => resolveConnection({ ...tokenless, tokenFile: join(dir, 'missing') }, {})).toThrow(
        'invalid configuration: connection.tokenFile cannot be read: ENOENT',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad or missing field is refused, named, and the token never shown', () => {
    const refused = (connection: object, env: Record<string, string> = {}) => {
      try {
        resolveConnection(connection, env);
      } catch (error) {
        expect(String(error)).not.toContain('secret-token');
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ ...good, bucket: undefined })).toBe(
      'invalid configuration: connection.bucket is required: give connection.bucket or set INFLUX_BUCKET',
    );
    expect(refused({ ...good, bucket: '' })).toBe(
      'invalid configuration: connection.bucket must be a non-empty string',
    );
    expect(refused({ ...good, url: 'ftp://x' })).toBe(
      'invalid configuration: connection.url must be an http:// or https:// URL',
    );
    expect(refused({ ...good, url: 'http://user:secret-token@x' })).toBe(
      'invalid configuration: connection.url must not carry credentials: give the token as connection.token',
    );
    expect(refused({ ...good, token: undefined })).toBe(
      'invalid configuration: connection.token is required: give connection.token or connection.tokenFile, or set INFLUX_TOKEN or INFLUX_TOKEN_FILE',
    );
    expect(refused({ ...good, tokenFile: '/run/secrets/t' })).toBe(
      'invalid configuration: connection.token and connection.tokenFile exclude each other: give one',
    );
  });

  test('influxHistory refuses a bad connection when it is made', () => {
    expect(() => influxHistory({ ...good, org: ' ' })).toThrow(
      'invalid configuration: connection.org must be a non-empty string',
    );
    expect(() => influxHistory(good, { averageWindow: 'soon' })).toThrow(/averageWindow/);
  });
});
