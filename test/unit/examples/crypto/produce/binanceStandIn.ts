import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../../../../../src/metrics/index.js';
import { sliceLines } from '../lines.js';

/**
 * A local stand-in for Binance's combined-stream endpoint, on 127.0.0.1: it accepts (or refuses)
 * connections, and sends recorded messages to every open connection, as Binance sends each event to every
 * subscriber.
 */
export class BinanceStandIn {
  /** Connections accepted, in order. */
  readonly sockets: WebSocket[] = [];
  /** Upgrade requests seen, accepted or not. */
  attempts = 0;
  /** Whether the next upgrade requests are accepted. */
  accept = true;
  private waiting: ((socket: WebSocket) => void)[] = [];

  private constructor(private readonly server: WebSocketServer) {
    server.on('connection', (socket) => {
      this.sockets.push(socket);
      const waiting = this.waiting;
      this.waiting = [];
      for (const resolve of waiting) resolve(socket);
    });
  }

  /** `autoPong: false` makes a server that never answers pings: a dead peer. */
  static async start({ autoPong = true }: { readonly autoPong?: boolean } = {}): Promise<BinanceStandIn> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      autoPong,
      verifyClient: (_info, callback) => {
        // Called for connections only, once `standIn` below exists.
        standIn.attempts++;
        callback(standIn.accept, 401, 'refused by the test');
      },
    });
    const standIn = new BinanceStandIn(server);
    await once(server, 'listening');
    return standIn;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/stream?streams=btcusdt@trade`;
  }

  /** The next connection accepted (or the `index`-th, if it came already). */
  connection(index: number): Promise<WebSocket> {
    const socket = this.sockets[index];
    if (socket !== undefined) return Promise.resolve(socket);
    return new Promise((resolve) => this.waiting.push(() => resolve(this.connection(index))));
  }

  /** Sends each message to every open connection. */
  broadcast(messages: readonly string[]): void {
    for (const socket of this.sockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      for (const m of messages) socket.send(m);
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The JSON of the first `n` BTCUSDT trade messages of the recorded slice, exactly as recorded. */
export const recordedTrades = (n: number): string[] =>
  sliceLines('BTCUSDT')
    .filter((l) => l.includes('"btcusdt@trade"'))
    .slice(0, n)
    .map((l) => l.slice(l.indexOf(' ') + 1));

/** A logger whose lines are kept as objects. */
export const memoryLogger = () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    app: 'test',
    level: 'debug',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { log, lines, messages: (msg: string) => lines.filter((l) => l['msg'] === msg) };
};

/**
 * Waits for a condition that real I/O (a socket) makes true, turning the event loop without moving the
 * (fake) clock; fails after `timeoutMs` of real time.
 */
export const until = async (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`until: ${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
};
