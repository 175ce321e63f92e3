import type { TestProject } from 'vitest/node';
import { down, up, type ServiceEnv } from '../../scripts/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServiceEnv;
  }
}

/**
 * Brings up real Kafka and InfluxDB for the integration project (or adopts the ones named by KAFKA_BROKERS /
 * INFLUX_URL, or already started with `npm run services -- up`) and stops on teardown only what it started.
 * The first run on a machine builds InfluxDB, which is why this has no timeout.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { env, started } = await up();
  project.provide('services', env as ServiceEnv);
  return () => down(started);
}
