// Types for services.mjs, which stays plain JavaScript so that it runs without a build step.

export declare const KAFKA_VERSION: string;
export declare const INFLUX_VERSION: string;
export declare const DEFAULT_PORTS: Readonly<{ kafka: number; kafkaController: number; influx: number }>;
export declare const INFLUX_SETUP: Readonly<{
  username: string;
  password: string;
  org: string;
  bucket: string;
  token: string;
}>;
export declare const SERVICES: readonly ['kafka', 'influx'];

export interface KafkaEnv {
  KAFKA_BROKERS: string;
}

export interface InfluxEnv {
  INFLUX_URL: string;
  INFLUX_TOKEN: string;
  INFLUX_ORG: string;
  INFLUX_BUCKET: string;
}

export type ServiceEnv = KafkaEnv & InfluxEnv;

export interface Selection {
  kafka?: boolean;
  influx?: boolean;
}

export declare function up(
  selection?: Selection,
): Promise<{ env: Partial<ServiceEnv>; started: { kafka: boolean; influx: boolean } }>;

export declare function down(options?: Selection & { keepData?: boolean }): Promise<void>;

export type ServiceStatus =
  | { state: 'external'; address: string }
  | { state: 'running'; pid: number; address: string; log: string }
  | { state: 'stopped'; log: string };

export declare function status(): { kafka: ServiceStatus; influx: ServiceStatus };

export declare class ServiceError extends Error {
  constructor(message: string, logFile?: string);
}

/**
 * Copies the runtime jars of `dependencies` ([groupId, artifactId, version]) from Maven Central into
 * `<home>/libs` once (a later call finds `marker`, a jar file name, there); resolves to that directory.
 */
export declare function ensureMavenJars(options: {
  home: string;
  artifactId: string;
  version: string;
  dependencies: readonly (readonly [groupId: string, artifactId: string, version: string])[];
  marker: string;
  what: string;
}): Promise<string>;

/** The directory under which the service scripts cache what they fetch and build. */
export declare function cacheDir(): string;
