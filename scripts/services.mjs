#!/usr/bin/env node
/**
 * Real Apache Kafka (KRaft, single node) and InfluxDB 2 on loopback, without Docker.
 *
 *   npm run services -- up|down|status|logs [kafka|influx] [--keep-data] [--follow]
 *
 * Kafka runs from its Maven Central jars; influxd is built from the Go module proxy (Flux's Rust library
 * through cargo). Both are cached per version under ~/.cache/tributary, so only the first run on a machine
 * pays for the download and the build. Services given through KAFKA_BROKERS or INFLUX_URL (+ INFLUX_TOKEN,
 * INFLUX_ORG, INFLUX_BUCKET) are used as they are: never started, never stopped.
 *
 * The same module exports `up`, `down` and `status` for the integration tests' global setup.
 */
/* global fetch, AbortSignal -- Node 20 globals; the lint config declares no environment for scripts/ */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const KAFKA_VERSION = '3.9.1';
export const INFLUX_VERSION = '2.7.12';

/** Loopback ports, chosen away from the services' defaults so a developer's own Kafka/InfluxDB don't clash. */
export const DEFAULT_PORTS = Object.freeze({ kafka: 19092, kafkaController: 19093, influx: 18086 });

/** The fixed test tenant: the same values are in docker-compose.test.yml and Grafana's provisioning. */
export const INFLUX_SETUP = Object.freeze({
  username: 'tributary',
  password: 'tributary',
  org: 'tributary',
  bucket: 'tributary',
  token: 'tributary-test-token',
});

export const SERVICES = Object.freeze(['kafka', 'influx']);

const KAFKA_START_TIMEOUT_MS = 120_000;
const INFLUX_START_TIMEOUT_MS = 60_000;
const EXTERNAL_SERVICE_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** An error meant for a person: what is wrong, what to do, and which log tells more. */
export class ServiceError extends Error {
  constructor(message, logFile) {
    super(logFile ? `${message}\n  log: ${logFile}${logTail(logFile)}` : message);
    this.name = 'ServiceError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Configuration

function readPort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ServiceError(`${name}=${raw} is not a TCP port (1-65535).`);
  }
  return port;
}

function config() {
  const cacheRoot =
    process.env.TRIBUTARY_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tributary');
  const runDir = process.env.TRIBUTARY_SERVICES_DIR ?? join(cacheRoot, 'run');
  return {
    ports: {
      kafka: readPort('TRIBUTARY_KAFKA_PORT', DEFAULT_PORTS.kafka),
      kafkaController: readPort('TRIBUTARY_KAFKA_CONTROLLER_PORT', DEFAULT_PORTS.kafkaController),
      influx: readPort('TRIBUTARY_INFLUX_PORT', DEFAULT_PORTS.influx),
    },
    kafkaHome: join(cacheRoot, `kafka-${KAFKA_VERSION}`),
    influxHome: join(cacheRoot, `influxdb-${INFLUX_VERSION}`),
    kafkaRun: join(runDir, 'kafka'),
    influxRun: join(runDir, 'influx'),
  };
}

function externalKafka() {
  return process.env.KAFKA_BROKERS || undefined;
}

function externalInflux() {
  const { INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET } = process.env;
  if (!INFLUX_URL) return undefined;
  const missing = Object.entries({ INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET })
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new ServiceError(
      `INFLUX_URL is set, so an existing InfluxDB is used, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not. ` +
        'Set all four, or unset INFLUX_URL to have this script start InfluxDB.',
    );
  }
  return { INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET };
}

// ---------------------------------------------------------------------------------------------------------
// Small process and file helpers

function seconds(since) {
  return ((Date.now() - since) / 1000).toFixed(1);
}

function note(message) {
  process.stderr.write(`[services] ${message}\n`);
}

function logTail(logFile, lines = 25) {
  if (!existsSync(logFile)) return '';
  const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines);
  return `\n  last lines of the log:\n    ${tail.join('\n    ')}`;
}

function requireTool(command, versionArgs, why, fix) {
  const result = spawnSync(command, versionArgs, { stdio: 'ignore' });
  if (result.error)
    throw new ServiceError(`\`${command}\` was not found on PATH; it is needed ${why}. ${fix}`);
}

/** Runs a command to completion with its output appended to `logFile`; rejects naming the log. */
function run(command, args, { cwd, env, logFile, what }) {
  const fd = openSync(logFile, 'a');
  writeFileSync(fd, `\n$ ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', (error) =>
      reject(new ServiceError(`${what} could not run ${command}: ${error.message}`, logFile)),
    );
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new ServiceError(`${what} failed (${command} exited with ${code ?? signal}).`, logFile)),
    );
  });
}

/** Starts a long-running server in its own session, so it outlives this process (`up` from the CLI). */
function startDetached(command, args, { cwd, logFile }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  child.unref();
  return child.pid;
}

function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout : '';
  }
}

function readPidFile(pidFile) {
  try {
    return JSON.parse(readFileSync(pidFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A pid file records the pid and a string that only our process has on its command line (its own config
 * or data path), so a recycled pid is never taken for our server and never signalled.
 */
function runningPid(pidFile) {
  const recorded = readPidFile(pidFile);
  return recorded && commandLineOf(recorded.pid).includes(recorded.marker) ? recorded.pid : undefined;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function portAccepts(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000);
    const settle = (accepted) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
}

async function requireFreePorts(ports, hint) {
  for (const port of ports) {
    if (!(await portIsFree(port))) {
      throw new ServiceError(`Port 127.0.0.1:${port} is already in use by another process. ${hint}`);
    }
  }
}

/** Polls `check` until it returns true; fails early when `alive` says the server has exited. */
async function waitUntil(check, { timeoutMs, alive = () => true, what, logFile }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (!alive()) throw new ServiceError(`${what} exited while starting.`, logFile);
    if (Date.now() > deadline)
      throw new ServiceError(`${what} was not ready within ${timeoutMs / 1000} s.`, logFile);
    await sleep(250);
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/** SIGTERM lets Kafka shut down cleanly (seconds); SIGKILL only if that hangs. Resolves once it is gone. */
async function stopPid(pid, marker) {
  const alive = () => commandLineOf(pid).includes(marker);
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    signal(pid, 'SIGKILL');
    while (alive()) await sleep(100);
  }
  // Dead now; give its new parent (init, once `up`'s process has exited) a moment to reap it, so that
  // process listings taken right after `down` show no leftover <defunct> entry.
  const reapDeadline = Date.now() + 5_000;
  while (existsSync(`/proc/${pid}`) && Date.now() < reapDeadline) await sleep(100);
}

// ---------------------------------------------------------------------------------------------------------
// Kafka

function kafkaPaths(cfg) {
  const dir = cfg.kafkaRun;
  return {
    libs: join(cfg.kafkaHome, 'libs'),
    dir,
    data: join(dir, 'data'),
    properties: join(dir, 'server.properties'),
    log4j: join(dir, 'log4j.properties'),
    logFile: join(dir, 'kafka.log'),
    pidFile: join(dir, 'kafka.pid'),
  };
}

/** A POM of `dependencies` ([groupId, artifactId, version]) for copying their jars, nothing else. */
function jarsPom(artifactId, version, dependencies) {
  const dependency = ([groupId, artifact, v]) =>
    `    <dependency><groupId>${groupId}</groupId><artifactId>${artifact}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tributary.services</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies.map(dependency).join('\n')}
  </dependencies>
</project>
`;
}

/**
 * Copies the runtime jars of `dependencies` from Maven Central into `<home>/libs` once; later calls find
 * `marker` (a jar file name) there and return at once. `what` names them in messages.
 *
 * @returns the libs directory.
 */
export async function ensureMavenJars({ home, artifactId, version, dependencies, marker, what }) {
  const libs = join(home, 'libs');
  if (existsSync(join(libs, marker))) return libs;
  requireTool(
    'mvn',
    ['-v'],
    `to fetch the ${what} jars`,
    'Install Maven (Debian: apt-get install -y maven).',
  );
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'pom.xml'), jarsPom(artifactId, version, dependencies));
  const partial = `${libs}.partial`;
  const fetchLog = join(home, 'fetch.log');
  rmSync(partial, { recursive: true, force: true });
  note(`fetching the ${what} jars from Maven Central (first run only); log: ${fetchLog}`);
  const startedAt = Date.now();
  await run(
    'mvn',
    [
      '-B',
      '-q',
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${partial}`,
    ],
    { cwd: home, logFile: fetchLog, what: `Fetching the ${what} jars` },
  );
  // Renaming last means an interrupted fetch never leaves a libs dir that looks complete.
  renameSync(partial, libs);
  note(`fetched the ${what} jars in ${seconds(startedAt)} s`);
  return libs;
}

/** The broker's jars; kafka_2.13's POM leaves the log binding to the distribution, whose tarball ships these two. */
const ensureKafkaLibs = (paths) =>
  ensureMavenJars({
    home: join(paths.libs, '..'),
    artifactId: 'kafka-runtime',
    version: KAFKA_VERSION,
    dependencies: [
      ['org.apache.kafka', 'kafka_2.13', KAFKA_VERSION],
      ['org.slf4j', 'slf4j-reload4j', '1.7.36'],
      ['ch.qos.reload4j', 'reload4j', '1.2.25'],
    ],
    marker: `kafka_2.13-${KAFKA_VERSION}.jar`,
    what: `Kafka ${KAFKA_VERSION}`,
  });

/** The directory under which the service scripts cache what they fetch and build. */
export const cacheDir = () => join(config().kafkaHome, '..');

function kafkaServerProperties(cfg, paths) {
  const { kafka, kafkaController } = cfg.ports;
  return `# Written by scripts/services.mjs: a single loopback node that is broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${kafkaController}
listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}
advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${paths.data}
num.partitions=1
# One replica of everything: there is one broker.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer internal partitions make the first group join and the first transaction much faster.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
# Tests join groups constantly; the 3 s default delay would be paid on every join.
group.initial.rebalance.delay.ms=0
# Tests that shorten a topic's retention see segments deleted within seconds.
log.retention.check.interval.ms=5000
`;
}

const KAFKA_LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

function javaArgs(paths, mainClass, args) {
  // The same JVM settings as Kafka's bin/kafka-server-start.sh, which is not part of the Maven artifacts.
  return [
    '-Xmx1g',
    '-Xms1g',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=${pathToFileURL(paths.log4j).href}`,
    '-cp',
    join(paths.libs, '*'),
    mainClass,
    ...args,
  ];
}

/** A base64url UUID like Kafka's Uuid.randomUuid(), which also rejects ids that would read as an option. */
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** KRaft storage is formatted once per data dir, with a fresh cluster id. */
async function formatKafkaStorage(paths) {
  if (existsSync(join(paths.data, 'meta.properties'))) return;
  const clusterId = newClusterId();
  await run(
    'java',
    javaArgs(paths, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', paths.properties, '-g']),
    {
      logFile: paths.logFile,
      what: 'Formatting the Kafka storage',
    },
  );
}

async function kafkaAnswers(brokers) {
  // Imported here so that `down` and `status` work before `npm ci`, as in CI's exit trap.
  const { default: kafkajs } = await import('kafkajs');
  const admin = new kafkajs.Kafka({
    clientId: 'tributary-services',
    brokers: brokers.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // Looking up a group coordinator makes a fresh broker create its offsets topic now, rather than under
    // the first consumer, whose client would log "group coordinator not available" while it waits.
    await admin.describeGroups(['tributary-services']);
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function kafkaReady(brokers) {
  const [host, port] = brokers.split(',')[0].split(':');
  return (await portAccepts(host, Number(port))) && (await kafkaAnswers(brokers));
}

async function upKafka(cfg) {
  const external = externalKafka();
  if (external) {
    await waitUntil(() => kafkaReady(external), {
      timeoutMs: EXTERNAL_SERVICE_TIMEOUT_MS,
      what: `The Kafka at KAFKA_BROKERS=${external}`,
    });
    return { env: { KAFKA_BROKERS: external }, started: false };
  }
  const paths = kafkaPaths(cfg);
  const brokers = `127.0.0.1:${cfg.ports.kafka}`;
  const env = { KAFKA_BROKERS: brokers };
  const running = runningPid(paths.pidFile);
  if (running) {
    await waitUntil(() => kafkaReady(brokers), {
      timeoutMs: KAFKA_START_TIMEOUT_MS,
      alive: () => runningPid(paths.pidFile) !== undefined,
      what: `Kafka (pid ${running})`,
      logFile: paths.logFile,
    });
    note(`Kafka is already running (pid ${running}) at ${brokers}`);
    return { env, started: false };
  }

  requireTool(
    'java',
    ['-version'],
    'to run Kafka',
    'Install Java 17 or newer (Debian: apt-get install -y openjdk-17-jre-headless).',
  );
  await requireFreePorts(
    [cfg.ports.kafka, cfg.ports.kafkaController],
    'Stop it, point KAFKA_BROKERS at a Kafka you already run, or choose other ports with ' +
      'TRIBUTARY_KAFKA_PORT and TRIBUTARY_KAFKA_CONTROLLER_PORT.',
  );
  await ensureKafkaLibs(paths);
  mkdirSync(paths.data, { recursive: true });
  writeFileSync(paths.properties, kafkaServerProperties(cfg, paths));
  writeFileSync(paths.log4j, KAFKA_LOG4J);
  writeFileSync(paths.logFile, '');
  await formatKafkaStorage(paths);

  const startedAt = Date.now();
  const pid = startDetached('java', javaArgs(paths, 'kafka.Kafka', [paths.properties]), {
    cwd: paths.dir,
    logFile: paths.logFile,
  });
  writeFileSync(paths.pidFile, JSON.stringify({ pid, marker: paths.properties }));
  await readyOrStop(() => kafkaReady(brokers), {
    timeoutMs: KAFKA_START_TIMEOUT_MS,
    pidFile: paths.pidFile,
    what: 'Kafka',
    logFile: paths.logFile,
  });
  note(`Kafka ${KAFKA_VERSION} started (pid ${pid}) at ${brokers} in ${seconds(startedAt)} s`);
  return { env, started: true };
}

/** Waits for a server this call started; a server that never became ready is stopped, not left behind. */
async function readyOrStop(check, { timeoutMs, pidFile, what, logFile }) {
  try {
    await waitUntil(check, { timeoutMs, alive: () => runningPid(pidFile) !== undefined, what, logFile });
  } catch (error) {
    await stopRecorded(pidFile);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// InfluxDB

function influxPaths(cfg) {
  const dir = cfg.influxRun;
  return {
    binary: join(cfg.influxHome, 'influxd'),
    buildLog: join(cfg.influxHome, 'build.log'),
    dir,
    data: join(dir, 'data'),
    logFile: join(dir, 'influxd.log'),
    pidFile: join(dir, 'influxd.pid'),
  };
}

function requireInfluxBuildTools(buildLog) {
  const apt = 'Debian: apt-get install -y pkg-config gcc libc6-dev';
  const why = `to build InfluxDB ${INFLUX_VERSION} once (the binary is then cached)`;
  requireTool('go', ['version'], why, 'Install Go 1.23 or newer.');
  requireTool('cargo', ['--version'], `${why}: Flux is a Rust library`, 'Install Rust with rustup.');
  requireTool('gcc', ['--version'], `${why}: it links Flux and SQLite through cgo`, apt);
  requireTool('pkg-config', ['--version'], why, apt);
  // gcc answers a bare file name when the C library's development files are absent.
  const crt = spawnSync('gcc', ['-print-file-name=crt1.o'], { encoding: 'utf8' }).stdout.trim();
  if (!crt.includes('/')) {
    throw new ServiceError(
      `The C library's development files (crt1.o) are missing; they are needed ${why}. ${apt}`,
      buildLog,
    );
  }
}

function goModuleDir(module, logFile) {
  const result = spawnSync('go', ['mod', 'download', '-json', module], { encoding: 'utf8' });
  writeFileSync(logFile, `$ go mod download -json ${module}\n${result.stdout}${result.stderr}\n`, {
    flag: 'a',
  });
  const answer = result.status === 0 ? JSON.parse(result.stdout) : {};
  if (!answer.Dir) throw new ServiceError(`Downloading ${module} from the Go module proxy failed.`, logFile);
  return answer.Dir;
}

/**
 * Builds influxd the way upstream's Makefile does, minus the UI assets (a separate download): Flux's Rust
 * library is compiled by influxdata's pkg-config wrapper, which cgo calls while building the flux package.
 */
async function buildInfluxd(paths) {
  requireInfluxBuildTools(paths.buildLog);
  const home = join(paths.binary, '..');
  const src = join(home, 'src');
  const tools = join(home, 'tools');
  mkdirSync(tools, { recursive: true });
  writeFileSync(paths.buildLog, '');
  note(
    `building InfluxDB ${INFLUX_VERSION} from source, once per machine (about 5 minutes on 2 cores); ` +
      `log: ${paths.buildLog}`,
  );
  const startedAt = Date.now();

  // The module cache is read-only and the module's go.mod has a replace directive, so `go install
  // module@version` is refused: build in a writable copy instead.
  const moduleDir = goModuleDir(`github.com/influxdata/influxdb/v2@v${INFLUX_VERSION}`, paths.buildLog);
  rmSync(src, { recursive: true, force: true });
  cpSync(moduleDir, src, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', src]);

  const what = `Building InfluxDB ${INFLUX_VERSION}`;
  await run('go', ['build', '-o', join(tools, 'pkg-config'), 'github.com/influxdata/pkg-config'], {
    cwd: src,
    logFile: paths.buildLog,
    what,
  });
  // Flux 0.196 sets #![deny(warnings)] and pins Rust 1.72; today's Rust warns about code that 1.72 did
  // not. Capping lints keeps them warnings. RUSTFLAGS cannot do it: cargo builds for an explicit --target,
  // and then RUSTFLAGS skips the build script that also compiles flux-core, so a rustc wrapper adds the cap.
  const rustcWrapper = join(tools, 'rustc-cap-lints');
  writeFileSync(rustcWrapper, '#!/bin/sh\nexec "$@" --cap-lints warn\n', { mode: 0o755 });
  const partial = `${paths.binary}.partial`;
  await run(
    'go',
    [
      'build',
      '-buildvcs=false',
      '-tags',
      'sqlite_foreign_keys,sqlite_json',
      '-ldflags',
      `-s -w -X main.version=v${INFLUX_VERSION}`,
      '-o',
      partial,
      './cmd/influxd',
    ],
    {
      cwd: src,
      env: {
        CGO_ENABLED: '1',
        PKG_CONFIG: join(tools, 'pkg-config'),
        RUSTUP_TOOLCHAIN: 'stable',
        RUSTC_WORKSPACE_WRAPPER: rustcWrapper,
      },
      logFile: paths.buildLog,
      what,
    },
  );
  renameSync(partial, paths.binary);
  rmSync(src, { recursive: true, force: true });
  note(`built ${paths.binary} in ${((Date.now() - startedAt) / 60_000).toFixed(1)} min`);
}

async function influxHealthy(url) {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok && (await response.json()).status === 'pass';
  } catch {
    return false;
  }
}

/** Onboards a fresh server with the fixed test tenant; a kept data dir must already carry that token. */
async function ensureInfluxSetup(url, logFile) {
  const { allowed } = await (await fetch(`${url}/api/v2/setup`)).json();
  if (allowed) {
    const response = await fetch(`${url}/api/v2/setup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...INFLUX_SETUP, retentionPeriodSeconds: 0 }),
    });
    if (!response.ok) {
      throw new ServiceError(
        `InfluxDB setup failed: HTTP ${response.status} ${await response.text()}`,
        logFile,
      );
    }
    return;
  }
  const check = await fetch(`${url}/api/v2/buckets?name=${INFLUX_SETUP.bucket}`, {
    headers: { Authorization: `Token ${INFLUX_SETUP.token}` },
  });
  if (!check.ok) {
    throw new ServiceError(
      `The InfluxDB at ${url} was set up earlier without the test token (HTTP ${check.status}). ` +
        'Run `npm run services -- down influx` (it deletes that data) and `up` again.',
      logFile,
    );
  }
}

function influxEnv(url) {
  return {
    INFLUX_URL: url,
    INFLUX_TOKEN: INFLUX_SETUP.token,
    INFLUX_ORG: INFLUX_SETUP.org,
    INFLUX_BUCKET: INFLUX_SETUP.bucket,
  };
}

async function upInflux(cfg) {
  const external = externalInflux();
  if (external) {
    await waitUntil(() => influxHealthy(external.INFLUX_URL), {
      timeoutMs: EXTERNAL_SERVICE_TIMEOUT_MS,
      what: `The InfluxDB at INFLUX_URL=${external.INFLUX_URL}`,
    });
    return { env: external, started: false };
  }
  const paths = influxPaths(cfg);
  const url = `http://127.0.0.1:${cfg.ports.influx}`;
  const running = runningPid(paths.pidFile);
  if (running) {
    await waitUntil(() => influxHealthy(url), {
      timeoutMs: INFLUX_START_TIMEOUT_MS,
      alive: () => runningPid(paths.pidFile) !== undefined,
      what: `InfluxDB (pid ${running})`,
      logFile: paths.logFile,
    });
    await ensureInfluxSetup(url, paths.logFile);
    note(`InfluxDB is already running (pid ${running}) at ${url}`);
    return { env: influxEnv(url), started: false };
  }

  await requireFreePorts(
    [cfg.ports.influx],
    'Stop it, point INFLUX_URL (+ INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET) at an InfluxDB you already run, ' +
      'or choose another port with TRIBUTARY_INFLUX_PORT.',
  );
  if (!existsSync(paths.binary)) await buildInfluxd(paths);
  mkdirSync(paths.data, { recursive: true });
  writeFileSync(paths.logFile, '');

  const startedAt = Date.now();
  // cwd is the run dir so that influxd finds no stray config file in the caller's directory.
  const pid = startDetached(
    paths.binary,
    [
      `--bolt-path=${join(paths.data, 'influxd.bolt')}`,
      `--engine-path=${join(paths.data, 'engine')}`,
      `--sqlite-path=${join(paths.data, 'influxd.sqlite')}`,
      `--http-bind-address=127.0.0.1:${cfg.ports.influx}`,
      '--reporting-disabled',
    ],
    { cwd: paths.dir, logFile: paths.logFile },
  );
  writeFileSync(paths.pidFile, JSON.stringify({ pid, marker: paths.data }));
  await readyOrStop(() => influxHealthy(url), {
    timeoutMs: INFLUX_START_TIMEOUT_MS,
    pidFile: paths.pidFile,
    what: 'InfluxDB',
    logFile: paths.logFile,
  });
  await ensureInfluxSetup(url, paths.logFile);
  note(`InfluxDB ${INFLUX_VERSION} started (pid ${pid}) at ${url} in ${seconds(startedAt)} s`);
  return { env: influxEnv(url), started: true };
}

// ---------------------------------------------------------------------------------------------------------
// Public API

/**
 * Starts the requested services (or adopts running/external ones) and resolves to the connection
 * environment plus which services this call started, so a caller can stop only those.
 */
export async function up({ kafka = true, influx = true } = {}) {
  const cfg = config();
  const k = kafka ? await upKafka(cfg) : undefined;
  let i;
  try {
    i = influx ? await upInflux(cfg) : undefined;
  } catch (error) {
    // All or nothing: a caller that gets an error has nothing to stop.
    if (k?.started) await down({ kafka: true, influx: false });
    throw error;
  }
  return {
    env: { ...k?.env, ...i?.env },
    started: { kafka: k?.started ?? false, influx: i?.started ?? false },
  };
}

async function stopRecorded(pidFile) {
  const pid = runningPid(pidFile);
  if (pid) await stopPid(pid, readPidFile(pidFile).marker);
  rmSync(pidFile, { force: true });
  return pid;
}

/** Stops the servers that `up` started (by recorded pid) and deletes their data unless `keepData`. */
export async function down({ kafka = true, influx = true, keepData = false } = {}) {
  const cfg = config();
  const targets = [
    kafka && !externalKafka() && { name: 'Kafka', ...kafkaPaths(cfg) },
    influx && !process.env.INFLUX_URL && { name: 'InfluxDB', ...influxPaths(cfg) },
  ].filter(Boolean);
  for (const target of targets) {
    const pid = await stopRecorded(target.pidFile);
    if (pid) note(`${target.name} (pid ${pid}) stopped`);
    if (!keepData) rmSync(target.data, { recursive: true, force: true });
  }
}

/** Describes each service: running (with pid), stopped, or external (given through the environment). */
export function status() {
  const cfg = config();
  const kafka = kafkaPaths(cfg);
  const influx = influxPaths(cfg);
  const describe = (external, paths, address) => {
    if (external) return { state: 'external', address: external };
    const pid = runningPid(paths.pidFile);
    return pid
      ? { state: 'running', pid, address, log: paths.logFile }
      : { state: 'stopped', log: paths.logFile };
  };
  return {
    kafka: describe(externalKafka(), kafka, `127.0.0.1:${cfg.ports.kafka}`),
    influx: describe(process.env.INFLUX_URL, influx, `http://127.0.0.1:${cfg.ports.influx}`),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Command line

const USAGE = `usage: npm run services -- <command> [kafka|influx] [options]

commands:
  up       start Kafka and InfluxDB (no-op for running ones) and print their connection environment
  down     stop what \`up\` started and delete its data (--keep-data keeps it)
  status   show what runs where
  logs     print the end of a server's log (--follow keeps printing)

environment:
  KAFKA_BROKERS, INFLUX_URL + INFLUX_TOKEN + INFLUX_ORG + INFLUX_BUCKET   use existing services instead
  TRIBUTARY_KAFKA_PORT (${DEFAULT_PORTS.kafka}), TRIBUTARY_KAFKA_CONTROLLER_PORT (${DEFAULT_PORTS.kafkaController}), TRIBUTARY_INFLUX_PORT (${DEFAULT_PORTS.influx})
  TRIBUTARY_CACHE_DIR (~/.cache/tributary), TRIBUTARY_SERVICES_DIR (<cache>/run)`;

function selection(service) {
  return { kafka: !service || service === 'kafka', influx: !service || service === 'influx' };
}

function printLogs(service, follow) {
  const cfg = config();
  const files = [
    selection(service).kafka && kafkaPaths(cfg).logFile,
    selection(service).influx && influxPaths(cfg).logFile,
  ].filter((file) => file && existsSync(file));
  if (files.length === 0) throw new ServiceError('There is no log yet: run `npm run services -- up` first.');
  const tail = spawnSync('tail', ['-n', '100', ...(follow ? ['-F'] : []), ...files], { stdio: 'inherit' });
  if (tail.error) throw new ServiceError(`Could not run tail: ${tail.error.message}`);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'keep-data': { type: 'boolean', default: false },
      follow: { type: 'boolean', short: 'f', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, service, ...extra] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (extra.length > 0 || (service && !SERVICES.includes(service))) {
    throw new ServiceError(
      `Expected one service name (${SERVICES.join(' or ')}), got: ${[service, ...extra].join(' ')}\n${USAGE}`,
    );
  }
  switch (command) {
    case 'up': {
      const { env } = await up(selection(service));
      for (const [name, value] of Object.entries(env)) process.stdout.write(`export ${name}=${value}\n`);
      return;
    }
    case 'down':
      return down({ ...selection(service), keepData: values['keep-data'] });
    case 'status':
      process.stdout.write(`${JSON.stringify(status(), null, 2)}\n`);
      return;
    case 'logs':
      return printLogs(service, values.follow);
    default:
      throw new ServiceError(`Unknown command "${command}".\n${USAGE}`);
  }
}

const isEntryPoint = process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntryPoint) {
  main().catch((error) => {
    process.stderr.write(`[services] ${error instanceof ServiceError ? error.message : error.stack}\n`);
    process.exitCode = 1;
  });
}
