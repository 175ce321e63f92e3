/**
 * The Kafka Streams baseline of `npm run bench:kafka`: `bench/kafka-streams/TradeMeans.java`, compiled
 * against Kafka Streams' jars from Maven Central (fetched once into the service scripts' cache) and run on
 * one stream thread in a JVM of its own. Needs `java`, `javac` and `mvn` on PATH; without them the row is
 * skipped, saying why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, ensureMavenJars, KAFKA_VERSION } from '../scripts/services.mjs';
import { toMeasurement, type Measurement } from './measure.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'kafka-streams', 'TradeMeans.java');

/** How the baseline emits windows: when they close (as the Tributary pipeline does), or as they change. */
export type KafkaStreamsEmit = 'final' | 'updates';

/** The JDK tools the baseline needs that are missing, if any. */
export function missingJdk(): string | undefined {
  const missing = ['java', 'javac', 'mvn'].filter(
    (tool) => spawnSync(tool, ['-version'], { stdio: 'ignore' }).error !== undefined,
  );
  return missing.length > 0 ? `${missing.join(', ')} not on PATH` : undefined;
}

/** Fetches the jars (first run only) and compiles the baseline when its source changed; the classpath. */
export async function prepareKafkaStreams(): Promise<string> {
  const home = join(cacheDir(), `kafka-streams-${KAFKA_VERSION}`);
  const libs = await ensureMavenJars({
    home,
    artifactId: 'kafka-streams-baseline',
    version: KAFKA_VERSION,
    dependencies: [
      ['org.apache.kafka', 'kafka-streams', KAFKA_VERSION],
      ['com.fasterxml.jackson.core', 'jackson-databind', '2.16.2'],
      ['org.slf4j', 'slf4j-nop', '1.7.36'],
    ],
    marker: `kafka-streams-${KAFKA_VERSION}.jar`,
    what: `Kafka Streams ${KAFKA_VERSION}`,
  });
  const classes = join(home, 'classes');
  const compiled = join(classes, 'TradeMeans.class');
  const stale = (() => {
    try {
      return statSync(compiled).mtimeMs < statSync(SOURCE).mtimeMs;
    } catch {
      return true;
    }
  })();
  const classpath = `${classes}:${libs}/*`;
  if (stale) {
    mkdirSync(classes, { recursive: true });
    const javac = spawnSync('javac', ['-d', classes, '-cp', `${libs}/*`, SOURCE], { encoding: 'utf8' });
    if (javac.status !== 0) throw new Error(`javac failed on ${SOURCE}:\n${javac.stderr}`);
  }
  return classpath;
}

/** One run of the baseline over the first `records` records of `input`, with a new application id. */
export async function kafkaStreams(
  classpath: string,
  brokers: readonly string[],
  input: string,
  output: string,
  records: number,
  emit: KafkaStreamsEmit,
): Promise<Measurement> {
  const applicationId = `bench-kafka-streams-${randomUUID()}`;
  const args = ['-cp', classpath, 'TradeMeans', brokers.join(','), input, output, applicationId];
  const child = spawn('java', [...args, String(records), emit], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{'))
    throw new Error(`the Kafka Streams baseline exited with ${code}:\n${stderr.slice(-4_000)}`);
  const { seconds, cpuSeconds } = JSON.parse(line) as { seconds: number; cpuSeconds: number };
  // It has no batch callback to time: no latencies.
  return toMeasurement(
    `Kafka Streams ${KAFKA_VERSION} (Java, 1 stream thread), ${emit === 'final' ? 'final windows' : 'window updates'}`,
    records,
    seconds,
    cpuSeconds,
  );
}
