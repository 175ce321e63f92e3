import WebSocket from 'ws';
import type { Logger } from '../../../src/metrics/index.js';
import { backoffDelay, type BackoffSettings } from './backoff.js';
import { classifyMessage, type BinanceMessage } from './binanceMessage.js';
import { preciseClock } from './preciseClock.js';
import { StreamProgress } from './StreamProgress.js';

/** How a {@link BinanceFeed} keeps its connection. Times in ms. */
export interface FeedSettings {
  /** The combined-stream URL (`combinedStreamUrl`). */
  readonly url: string;
  /**
   * Nothing received for this long (no message, ping or pong) means the connection is dead: it is dropped
   * and another opened. After half of it in silence, the feed sends a ping, which a live server answers.
   */
  readonly idleTimeoutMs: number;
  /** A connection is replaced after this long; Binance closes connections at 24 hours. */
  readonly rotateAfterMs: number;
  /** How long the old and the new connection both deliver, counted from the new one's first message. */
  readonly overlapMs: number;
  /** Waits between attempts to connect, after a connection was lost or could not be opened. */
  readonly backoff: BackoffSettings;
}

/** One message as received. */
export interface FeedMessage {
  /** The bytes of the message exactly as received. */
  readonly data: Buffer;
  readonly message: BinanceMessage;
  /** Local receive time, ns since the epoch. */
  readonly receivedAtNs: bigint;
}

/** What happened to the feed's connections and messages so far. */
export interface FeedStats {
  /** Connections opened (the first one, replacements and reconnections). */
  connections: number;
  /** Connections opened again after one was lost. */
  reconnects: number;
  /** Connections replaced before Binance's 24 hour cut. */
  rotations: number;
  /** Connections dropped because nothing arrived for `idleTimeoutMs`. */
  deadConnections: number;
  /** Messages delivered by two connections while one replaced the other, published once. */
  duplicates: number;
  /** Trades that never arrived: gaps in trade ids, after a lost connection. */
  missedTrades: number;
}

export interface FeedOptions extends FeedSettings {
  /** Each message, once, in the order received (a duplicate is dropped before this). */
  readonly onMessage: (message: FeedMessage) => void;
  readonly log: Logger;
  /** For the backoff's jitter. */
  readonly random?: () => number;
  /** Local time in ns since the epoch; default {@link preciseClock}. */
  readonly clock?: () => bigint;
}

interface Connection {
  readonly id: number;
  readonly socket: WebSocket;
  role: 'active' | 'replacement';
  openedAt: number | undefined;
  messages: number;
  lastActivity: number;
  pinged: boolean;
  watchdog: ReturnType<typeof setTimeout> | undefined;
  /** Closed by the feed on purpose: its close is not a loss. */
  retired: boolean;
}

/**
 * A live Binance combined stream that stays up: it answers the server's pings (the `ws` client does it by
 * itself), detects a connection on which nothing arrives and opens another, reconnects with exponential
 * backoff and jitter, and replaces each connection before Binance's 24 hour cut, without a gap: the new one
 * is opened first, both deliver for `overlapMs`, and messages that both delivered are passed on once
 * ({@link StreamProgress}).
 *
 * @example
 * ```ts
 * const feed = new BinanceFeed({
 *   url: combinedStreamUrl(DEFAULT_ENDPOINT, streamNames(['BTCUSDT'], ['1m'])),
 *   idleTimeoutMs: 30_000,
 *   rotateAfterMs: 23 * 3_600_000,
 *   overlapMs: 5_000,
 *   backoff: { initialMs: 1_000, maxMs: 30_000 },
 *   onMessage: ({ data, message }) => console.log(message._tag, data.length),
 *   log: createLogger(),
 * });
 * feed.start();
 * // later
 * await feed.stop();
 * ```
 */
export class BinanceFeed {
  readonly stats: FeedStats = {
    connections: 0,
    reconnects: 0,
    rotations: 0,
    deadConnections: 0,
    duplicates: 0,
    missedTrades: 0,
  };
  private readonly progress = new StreamProgress();
  private readonly connections = new Set<Connection>();
  private readonly clock: () => bigint;
  private readonly random: () => number;
  private active: Connection | undefined;
  private replacement: Connection | undefined;
  private nextId = 1;
  /** Failed attempts in a row, for the backoff; reset by a connection's first message. */
  private failures = 0;
  private replacementFailures = 0;
  private lost = false;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private rotateTimer: ReturnType<typeof setTimeout> | undefined;
  private overlapTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: FeedOptions) {
    this.clock = options.clock ?? preciseClock();
    this.random = options.random ?? Math.random;
  }

  /** Opens the first connection. */
  start(): void {
    this.active = this.open('active');
  }

  /** Closes every connection; no message is delivered once it resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.reconnectTimer, this.rotateTimer, this.overlapTimer]) clearTimeout(timer);
    await Promise.all([...this.connections].map((c) => this.close(c, 'stopping')));
  }

  private open(role: Connection['role']): Connection {
    const { log, url, idleTimeoutMs } = this.options;
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const conn: Connection = {
      id: this.nextId++,
      socket,
      role,
      openedAt: undefined,
      messages: 0,
      lastActivity: Date.now(),
      pinged: false,
      watchdog: undefined,
      retired: false,
    };
    this.connections.add(conn);
    this.stats.connections++;
    log.info({ connection: conn.id, role, url }, 'connecting');
    socket.on('open', () => this.opened(conn));
    socket.on('message', (data: Buffer) => this.received(conn, data));
    socket.on('ping', () => this.touch(conn));
    socket.on('pong', () => this.touch(conn));
    socket.on('error', (error) => {
      if (!conn.retired) log.warn({ connection: conn.id, error: error.message }, 'websocket error');
    });
    socket.on('close', (code, reason) => this.closed(conn, code, reason.toString()));
    conn.watchdog = setTimeout(() => this.watch(conn), idleTimeoutMs / 2);
    return conn;
  }

  private opened(conn: Connection): void {
    conn.openedAt = Date.now();
    this.touch(conn);
    this.options.log.info({ connection: conn.id, role: conn.role }, 'connected');
    if (conn === this.active) this.scheduleRotation(conn);
  }

  private received(conn: Connection, data: Buffer): void {
    const receivedAtNs = this.clock();
    if (this.stopped) return;
    this.touch(conn);
    if (conn.messages++ === 0) this.firstMessage(conn);
    const message = classifyMessage(data.toString('utf8'));
    if (message._tag === 'trade' || message._tag === 'kline') {
      const verdict = this.progress.check(message);
      if (verdict.duplicate) {
        this.stats.duplicates++;
        return;
      }
      if (verdict.missedTrades > 0) {
        this.stats.missedTrades += verdict.missedTrades;
        this.options.log.warn(
          { stream: message.stream, missedTrades: verdict.missedTrades },
          'trades missed while disconnected (a gap in trade ids)',
        );
      }
    }
    // A copy: the message may wait in a buffer, and a slice would hold the whole socket read with it.
    this.options.onMessage({ data: Buffer.from(data), message, receivedAtNs });
  }

  private firstMessage(conn: Connection): void {
    if (conn === this.active) {
      this.failures = 0;
      if (this.lost) {
        this.lost = false;
        this.stats.reconnects++;
      }
    } else if (conn === this.replacement) {
      this.replacementFailures = 0;
      clearTimeout(this.overlapTimer);
      this.overlapTimer = setTimeout(() => this.promote(conn), this.options.overlapMs);
    }
  }

  private touch(conn: Connection): void {
    conn.lastActivity = Date.now();
    conn.pinged = false;
  }

  /** The watchdog: a ping after half the idle timeout in silence, and the end of the connection after all of it. */
  private watch(conn: Connection): void {
    const { idleTimeoutMs, log } = this.options;
    const silent = Date.now() - conn.lastActivity;
    if (silent >= idleTimeoutMs) {
      this.stats.deadConnections++;
      log.warn(
        { connection: conn.id, role: conn.role, silentMs: silent },
        'nothing received: connection dead',
      );
      conn.watchdog = undefined;
      conn.socket.terminate();
      return;
    }
    const half = idleTimeoutMs / 2;
    if (silent >= half && !conn.pinged && conn.socket.readyState === WebSocket.OPEN) {
      conn.socket.ping();
      conn.pinged = true;
    }
    conn.watchdog = setTimeout(
      () => this.watch(conn),
      silent >= half ? idleTimeoutMs - silent : half - silent,
    );
  }

  private closed(conn: Connection, code: number, reason: string): void {
    clearTimeout(conn.watchdog);
    this.connections.delete(conn);
    if (this.stopped) return;
    const { log } = this.options;
    if (!conn.retired) log.warn({ connection: conn.id, role: conn.role, code, reason }, 'connection closed');
    if (conn === this.active) {
      this.active = undefined;
      clearTimeout(this.rotateTimer);
      const next = this.replacement;
      if (next !== undefined) {
        // The replacement is already up (or on its way): it takes over at once.
        this.replacement = undefined;
        clearTimeout(this.overlapTimer);
        this.takeOver(next);
        log.info({ connection: next.id, replaced: conn.id }, 'the replacement connection takes over');
        return;
      }
      this.lost = true;
      const delay = backoffDelay(this.failures++, this.options.backoff, this.random);
      log.warn({ attempt: this.failures, retryInMs: delay }, 'reconnecting');
      this.reconnectTimer = setTimeout(() => (this.active = this.open('active')), delay);
    } else if (conn === this.replacement) {
      this.replacement = undefined;
      clearTimeout(this.overlapTimer);
      const delay = backoffDelay(this.replacementFailures++, this.options.backoff, this.random);
      log.warn(
        { attempt: this.replacementFailures, retryInMs: delay },
        'replacement connection failed; trying again',
      );
      this.rotateTimer = setTimeout(() => this.rotate(), delay);
    }
  }

  private scheduleRotation(conn: Connection): void {
    clearTimeout(this.rotateTimer);
    const age = Date.now() - (conn.openedAt ?? Date.now());
    this.rotateTimer = setTimeout(() => this.rotate(), Math.max(0, this.options.rotateAfterMs - age));
  }

  /** Opens the replacement of the active connection. */
  private rotate(): void {
    if (this.stopped || this.replacement !== undefined || this.active === undefined) return;
    this.options.log.info(
      { connection: this.active.id, ageMs: Date.now() - (this.active.openedAt ?? Date.now()) },
      'opening a replacement connection before Binance closes this one',
    );
    this.replacement = this.open('replacement');
  }

  /** The replacement has delivered for the overlap: it becomes the active connection, the old one is closed. */
  private promote(conn: Connection): void {
    if (conn !== this.replacement) return;
    this.replacement = undefined;
    const old = this.active;
    this.takeOver(conn);
    this.stats.rotations++;
    this.options.log.info({ connection: conn.id, replaced: old?.id }, 'connection replaced');
    if (old !== undefined) void this.close(old, 'replaced');
  }

  private takeOver(conn: Connection): void {
    conn.role = 'active';
    this.active = conn;
    if (conn.openedAt !== undefined) this.scheduleRotation(conn);
  }

  private close(conn: Connection, reason: string): Promise<void> {
    conn.retired = true;
    clearTimeout(conn.watchdog);
    const { socket } = conn;
    if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, reason);
      else socket.terminate();
    });
  }
}
