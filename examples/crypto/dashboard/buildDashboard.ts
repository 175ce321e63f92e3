import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const require = createRequire(import.meta.url);

/** Where built pages are kept, one folder per content hash; `npm ci` starts it afresh. */
export const DASHBOARD_CACHE = join(repoRoot, 'node_modules', '.cache', 'tributary-dashboard');

/** A digest of the files the page is built from and of what else decides its bytes. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...(readdirSync(join(here, 'web'), { recursive: true }) as string[]).map((f) => join('web', f)),
    'DashboardEvent.ts',
    'protocol.ts',
    'vite.config.ts',
  ]
    .filter((f) => statSync(join(here, f)).isFile())
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(join(here, file)));
  for (const pkg of ['vite', 'lightweight-charts']) {
    hash.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}`);
  }
  return hash.digest('hex').slice(0, 16);
}

const building = new Map<string, Promise<string>>();

/**
 * The folder of the built page, building it with Vite first when the sources changed since the last
 * build (a couple of seconds; later starts reuse it). Vite runs in a child process with
 * `NODE_ENV=production`, so the bytes do not depend on who asks (a test runner sets `NODE_ENV=test`);
 * it writes into a temporary folder that is renamed into place, so concurrent builds cannot mix files.
 */
export function dashboardAssets(): Promise<string> {
  const hash = sourceHash();
  const target = join(DASHBOARD_CACHE, hash);
  if (existsSync(join(target, 'index.html'))) return Promise.resolve(target);
  const pending = building.get(hash) ?? build(hash, target);
  building.set(hash, pending);
  return pending.finally(() => building.delete(hash));
}

async function build(hash: string, target: string): Promise<string> {
  mkdirSync(DASHBOARD_CACHE, { recursive: true });
  const temporary = join(DASHBOARD_CACHE, `${hash}.${process.pid}.${Date.now()}.tmp`);
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const args = [
    vite,
    'build',
    '--config',
    join(here, 'vite.config.ts'),
    '--outDir',
    temporary,
    '--emptyOutDir',
  ];
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0 || !existsSync(join(temporary, 'index.html'))) {
    rmSync(temporary, { recursive: true, force: true });
    throw new Error(`building the dashboard page failed (vite exit ${code}):\n${Buffer.concat(output)}`);
  }
  try {
    renameSync(temporary, target);
  } catch (error) {
    // Another process built the same sources first: theirs is as good.
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(join(target, 'index.html'))) throw error;
  }
  for (const entry of readdirSync(DASHBOARD_CACHE)) {
    // Older builds; a temporary folder of a build still running elsewhere is left alone.
    if (entry !== hash && !entry.endsWith('.tmp')) {
      rmSync(join(DASHBOARD_CACHE, entry), { recursive: true, force: true });
    }
  }
  return target;
}
