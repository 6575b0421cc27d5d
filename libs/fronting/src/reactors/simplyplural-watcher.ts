import type { ObservedFronter } from '../domain/events';
import { SimplyPluralSocket } from '../clients/simplyplural.socket';

/** A reconnect or re-read never waits longer than this after a failure. */
export const MAX_RETRY_DELAY_MS = 60_000;

export interface WatcherTiming {
  debounceMs: number;
  refreshMs: number;
  pingMs: number;
  retryBaseMs: number;
  authFailurePauseMs: number;
}

export interface WatcherLog {
  log(message: string): void;
  warn(message: string): void;
}

/** What a watcher needs from the rest of the updater; the token never leaves it. */
export interface WatcherPorts {
  socketUrl: string;
  readFronters(token: string): Promise<ObservedFronter[]>;
  isTokenRejection(error: unknown): boolean;
  /** Records what SimplyPlural showed (ObserveFronters). */
  observe(fronters: ObservedFronter[]): Promise<void>;
  /** Records that SimplyPlural refused the token (RecordTokenRejected). */
  rejectToken(): Promise<void>;
}

/**
 * Watches one user's SimplyPlural fronters: the websocket is only a trigger, and every trigger
 * ends in a REST re-read. Triggers within `debounceMs` are read once, a trigger during a read asks
 * for one more read after it, a slow timer re-reads in case a message was missed, a failed read
 * is retried with backoff, and after SimplyPlural refused the token the watcher rests for
 * `authFailurePauseMs` instead of retrying a dead token in a loop.
 */
export class SimplyPluralWatcher {
  private readonly socket: SimplyPluralSocket;
  private debounceTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private failures = 0;
  private socketTroubled = false;
  private restingUntil = 0;
  private stopped = false;

  constructor(
    private readonly userId: string,
    private readonly token: string,
    private readonly ports: WatcherPorts,
    private readonly timing: WatcherTiming,
    private readonly logger: WatcherLog,
  ) {
    this.socket = new SimplyPluralSocket({
      url: ports.socketUrl,
      token,
      pingIntervalMs: timing.pingMs,
      retryBaseMs: timing.retryBaseMs,
      maxRetryDelayMs: MAX_RETRY_DELAY_MS,
      authFailurePauseMs: timing.authFailurePauseMs,
      // Messages sent while the socket was down are lost: read afresh on every (re)connection.
      onAuthenticated: () => {
        this.socketTroubled = false;
        this.trigger();
      },
      onChange: () => this.trigger(),
      onTokenRejected: () => void this.tokenRejected(),
      onTrouble: (description) => {
        this.report(`websocket: ${description}`, this.socketTroubled);
        this.socketTroubled = true;
      },
    });
  }

  start(): void {
    this.socket.start();
    this.refreshTimer = setInterval(() => this.trigger(), this.timing.refreshMs);
    this.refreshTimer.unref();
    this.readNow();
  }

  /** Stops watching; a read in flight finishes but records nothing more after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.socket.stop();
    for (const timer of [this.debounceTimer, this.retryTimer]) if (timer) clearTimeout(timer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.reading;
  }

  /** Something may have changed: read once the burst is over. */
  trigger(): void {
    if (this.stopped || this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      this.readNow();
    }, this.timing.debounceMs);
    this.debounceTimer.unref();
  }

  private readNow(): void {
    if (this.stopped || Date.now() < this.restingUntil) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.read().finally(() => {
      this.reading = null;
      if (this.readAgain) {
        this.readAgain = false;
        this.readNow();
      }
    });
  }

  private async read(): Promise<void> {
    try {
      const fronters = await this.ports.readFronters(this.token);
      if (this.stopped) return;
      await this.ports.observe(fronters);
      if (this.failures > 0) this.logger.log(`user ${this.userId}: SimplyPlural can be read again`);
      this.failures = 0;
    } catch (error) {
      if (this.stopped) return;
      if (this.ports.isTokenRejection(error)) return this.tokenRejected();
      this.retryAfterFailure(`reading fronters failed: ${describe(error)}`);
    }
  }

  private async tokenRejected(): Promise<void> {
    if (this.stopped) return;
    this.restingUntil = Date.now() + this.timing.authFailurePauseMs;
    this.logger.warn(
      `user ${this.userId}: SimplyPlural rejected the token; trying again in ${Math.round(this.timing.authFailurePauseMs / 1000)} s or when it is replaced`,
    );
    await this.ports.rejectToken().catch((error: unknown) => this.logger.warn(`user ${this.userId}: recording the rejection failed: ${describe(error)}`));
  }

  private retryAfterFailure(description: string): void {
    this.report(description, this.failures > 0);
    const ceiling = Math.min(MAX_RETRY_DELAY_MS, this.timing.retryBaseMs * 2 ** this.failures);
    this.failures += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.readNow();
    }, ceiling / 2 + Math.random() * (ceiling / 2));
    this.retryTimer.unref();
  }

  /** A streak of failures is one warning, so an outage does not log one per retry. */
  private report(description: string, inStreak: boolean): void {
    const message = `user ${this.userId}: ${description}`;
    if (inStreak) this.logger.log(message);
    else this.logger.warn(message);
  }
}

/** The message only: upstream errors carry request configs (headers with tokens) in their causes. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
