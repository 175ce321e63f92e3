import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_PORTS, INFLUX_SETUP, INFLUX_VERSION, KAFKA_VERSION } from '../../scripts/services.mjs';

// CI has no Docker engine, so this keeps docker-compose.test.yml and Grafana's provisioning in step with
// the services that the tests do run: same versions, host ports and test tenant.

interface ComposeService {
  image: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
}

function readYaml<T>(path: string): T {
  return parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')) as T;
}

const compose = readYaml<{ services: Record<string, ComposeService> }>('docker-compose.test.yml');

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.test.yml has no service ${name}`);
  return found;
}

describe('docker-compose.test.yml', () => {
  test('Kafka is the same version, published on the same port and advertised there', () => {
    const kafka = service('kafka');
    expect(kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(kafka.ports).toContain(`127.0.0.1:${DEFAULT_PORTS.kafka}:${DEFAULT_PORTS.kafka}`);
    expect(String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain(
      `//127.0.0.1:${DEFAULT_PORTS.kafka}`,
    );
    expect(String(kafka.environment?.KAFKA_LISTENERS)).toContain(`://:${DEFAULT_PORTS.kafka}`);
  });

  test('InfluxDB is the same minor version, on the same port, with the same tenant', () => {
    const influx = service('influxdb');
    expect(influx.image).toBe(`influxdb:${INFLUX_VERSION.split('.').slice(0, 2).join('.')}`);
    expect(influx.ports).toContain(`127.0.0.1:${DEFAULT_PORTS.influx}:8086`);
    expect(influx.environment).toMatchObject({
      DOCKER_INFLUXDB_INIT_MODE: 'setup',
      DOCKER_INFLUXDB_INIT_USERNAME: INFLUX_SETUP.username,
      DOCKER_INFLUXDB_INIT_PASSWORD: INFLUX_SETUP.password,
      DOCKER_INFLUXDB_INIT_ORG: INFLUX_SETUP.org,
      DOCKER_INFLUXDB_INIT_BUCKET: INFLUX_SETUP.bucket,
      DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: INFLUX_SETUP.token,
    });
  });

  test("Grafana mounts the provisioning, whose Flux data source reaches the influxdb service's tenant", () => {
    expect(service('grafana').volumes).toContain(
      './docker/grafana/provisioning:/etc/grafana/provisioning:ro',
    );
    const { datasources } = readYaml<{ datasources: Record<string, unknown>[] }>(
      'docker/grafana/provisioning/datasources/influxdb.yml',
    );
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({
      type: 'influxdb',
      url: 'http://influxdb:8086',
      jsonData: { version: 'Flux', organization: INFLUX_SETUP.org, defaultBucket: INFLUX_SETUP.bucket },
      secureJsonData: { token: INFLUX_SETUP.token },
    });
  });
});
