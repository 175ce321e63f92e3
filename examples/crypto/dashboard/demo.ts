/**
 * The dashboard on a replay of the bundled trades, paced like a live feed, until the example's `start`
 * command serves it:
 *
 *   npm run dashboard                          # http://127.0.0.1:8080/, 20× real time
 *   npm run dashboard -- --port 9000 --speed 60 --host 0.0.0.0
 */
import { parseArgs } from 'node:util';
import { concatMap, from, timer, map, type Observable } from 'rxjs';
import type { Trade } from '../trade.js';
import { inMemoryHistory, startDashboard } from './index.js';
import { readTrades, replay, SAMPLE } from './replay.js';

/** The trades in batches of `stepMs` of event time, one batch every `stepMs / speed` of wall time. */
function paced(trades: readonly Trade[], speed: number, stepMs = 1_000): Observable<readonly Trade[]> {
  const batches: Trade[][] = [];
  for (const trade of trades) {
    const last = batches.at(-1);
    if (last !== undefined && trade.time < last[0]!.time + stepMs) last.push(trade);
    else batches.push([trade]);
  }
  return from(batches).pipe(concatMap((batch) => timer(stepMs / speed).pipe(map(() => batch))));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.DASHBOARD_PORT ?? '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      speed: { type: 'string', default: '20' },
      file: { type: 'string', default: SAMPLE },
    },
  });
  const speed = Number(values.speed);
  if (!(speed > 0)) throw new Error(`--speed must be a positive number, got ${values.speed}`);
  const trades = await readTrades(values.file);
  const dashboard = await startDashboard({
    port: Number(values.port),
    host: values.host!,
    events: replay(paced(trades, speed)),
    history: inMemoryHistory(),
  });
  process.stdout.write(
    `dashboard at ${dashboard.url} — replaying ${trades.length} trades at ${speed}× (Ctrl-C stops)\n`,
  );
  const stop = () => void dashboard.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
