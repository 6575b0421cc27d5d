import WebSocket, { type RawData } from 'ws';
import { SIMPLYPLURAL_USER_AGENT } from './simplyplural.client';

/** What one websocket message means to the watcher. */
export type SocketMessageMeaning = 'authenticated' | 'rejected' | 'change' | 'ignore';

/** Collections whose changes never touch fronting (the original project's list). */
const IRRELEVANT_TARGETS = new Set([
  'automatedreminders',
  'channel',
  'channelcategories',
  'chatmessages',
  'groups',
  'notes',
  'polls',
  'repeatedreminders',
]);

/**
 * How the watcher reads a SimplyPlural socket message (reference/simplyplural-api.md): the
 * authentication answers, `pong` and empty `{}` frames, complaints about our own frames, and
 * updates of collections fronting does not read are ignored; every other message (front history,
 * members, notifications, custom events) may change the fronters and triggers a re-read.
 */
export function socketMessageMeaning(text: string): SocketMessageMeaning {
  if (text === 'pong') return 'ignore';
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return 'ignore';
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'ignore';
  const { msg, target } = message as { msg?: unknown; target?: unknown };
  if (typeof msg !== 'string' || msg === '') return 'ignore';
  if (msg === 'Successfully authenticated') return 'authenticated';
  if (msg.startsWith('Authentication violation')) return 'rejected';
  if (msg.startsWith('Invalid message') || msg.startsWith("Missing 'op'")) return 'ignore';
  // The docs write `Update`; the server sends `update`.
  if (msg.toLowerCase() === 'update' && typeof target === 'string' && IRRELEVANT_TARGETS.has(target.toLowerCase())) return 'ignore';
  return 'change';
}

export interface SimplyPluralSocketOptions {
  url: string;
  token: string;
  pingIntervalMs: number;
  /** First reconnect delay; doubles per failed attempt up to `maxRetryDelayMs`, with jitter. */
  retryBaseMs: number;
  maxRetryDelayMs: number;
  /** Wait before connecting again after SimplyPlural refused the token. */
  authFailurePauseMs: number;
  /** Authenticated, on the first connection and on every reconnection: changes may have been missed meanwhile. */
  onAuthenticated(): void;
  /** A message that may mean the fronters changed. */
  onChange(): void;
  onTokenRejected(): void;
  /** Connection trouble worth a log line; never carries the token. */
  onTrouble(description: string): void;
}

/**
 * One SimplyPlural websocket for one token, used as a trigger only: it authenticates, pings to
 * keep the connection alive and to notice a dead one, and reconnects with jittered backoff; after
 * an authentication violation it waits `authFailurePauseMs` before it tries again.
 */
export class SimplyPluralSocket {
  private socket: WebSocket | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;

  constructor(private readonly options: SimplyPluralSocketOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    socket?.removeAllListeners();
    // Listeners are gone, so a late error of the closing socket must not go unhandled.
    socket?.on('error', () => undefined);
    socket?.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url, {
      headers: { 'User-Agent': SIMPLYPLURAL_USER_AGENT },
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    let rejected = false;
    let alive = true;
    socket.on('open', () => {
      socket.send(JSON.stringify({ op: 'authenticate', token: this.options.token }));
      this.pingTimer = setInterval(() => {
        // No answer since the last ping: the connection is dead without having closed.
        if (!alive) {
          this.options.onTrouble('no answer to the keep-alive ping; reconnecting');
          socket.terminate();
          return;
        }
        alive = false;
        socket.send('ping');
      }, this.options.pingIntervalMs);
      this.pingTimer.unref();
    });
    socket.on('message', (data: RawData) => {
      alive = true;
      switch (socketMessageMeaning(rawText(data))) {
        case 'authenticated':
          this.failures = 0;
          this.options.onAuthenticated();
          return;
        case 'rejected':
          rejected = true;
          this.options.onTokenRejected();
          return;
        case 'change':
          this.options.onChange();
          return;
        case 'ignore':
          return;
      }
    });
    socket.on('error', (error: Error) => this.options.onTrouble(`websocket error: ${error.message}`));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.scheduleReconnect(rejected);
    });
  }

  private scheduleReconnect(afterRejection: boolean): void {
    if (this.stopped) return;
    let delay: number;
    if (afterRejection) {
      delay = this.options.authFailurePauseMs;
    } else {
      const ceiling = Math.min(this.options.maxRetryDelayMs, this.options.retryBaseMs * 2 ** this.failures);
      // Half fixed, half random: sockets dropped together do not all come back at once.
      delay = ceiling / 2 + Math.random() * (ceiling / 2);
      this.failures += 1;
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pingTimer = null;
    this.reconnectTimer = null;
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
