import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import type { ServiceEnv } from '../../scripts/services.mjs';

/** Connection details of the services that the global setup brought up. */
export function services(): ServiceEnv {
  return inject('services');
}

/** A name no other test or run uses, for topics, consumer groups and buckets. */
export function uniqueName(): string {
  return `tributary-test-${randomBytes(6).toString('hex')}`;
}

export function kafkaClient(clientId = uniqueName()): Kafka {
  return new Kafka({ clientId, brokers: services().KAFKA_BROKERS.split(','), logLevel: logLevel.ERROR });
}

export async function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates a fresh topic that is deleted when the current test finishes. */
export async function createTopic(numPartitions = 1): Promise<string> {
  const topic = uniqueName();
  const created = await withAdmin((admin) =>
    admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true }),
  );
  if (!created) throw new Error(`topic ${topic} already existed`);
  onTestFinished(() => withAdmin((admin) => admin.deleteTopics({ topics: [topic] })));
  return topic;
}

/** Calls the InfluxDB HTTP API with the test token; a non-2xx answer throws with the server's message. */
export async function influxApi(path: string, init: RequestInit = {}): Promise<Response> {
  const { INFLUX_URL, INFLUX_TOKEN } = services();
  const response = await fetch(`${INFLUX_URL}${path}`, {
    ...init,
    headers: { Authorization: `Token ${INFLUX_TOKEN}`, 'Content-Type': 'application/json', ...init.headers },
  });
  if (!response.ok) {
    throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${response.status} ${await response.text()}`);
  }
  return response;
}

/** Creates a fresh bucket in the test org that is deleted when the current test finishes. */
export async function createBucket(): Promise<string> {
  const name = uniqueName();
  const orgs = (await (await influxApi(`/api/v2/orgs?org=${services().INFLUX_ORG}`)).json()) as {
    orgs: { id: string }[];
  };
  const orgID = orgs.orgs[0]?.id;
  if (!orgID) throw new Error(`org ${services().INFLUX_ORG} not found`);
  const bucket = (await (
    await influxApi('/api/v2/buckets', {
      method: 'POST',
      body: JSON.stringify({ orgID, name, retentionRules: [] }),
    })
  ).json()) as { id: string };
  onTestFinished(async () => {
    await influxApi(`/api/v2/buckets/${bucket.id}`, { method: 'DELETE' });
  });
  return name;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes what was awaited, for the timeout message. */
  what?: string;
}

/**
 * Polls `condition` until it returns a truthy value (which is returned) or the deadline passes. A condition
 * that throws counts as not yet met; its last error is reported on timeout.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50, what = 'condition' }: WaitOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}
