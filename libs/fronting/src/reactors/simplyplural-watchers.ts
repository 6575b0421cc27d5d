import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CommandRunner,
  HERALD_CONFIG,
  type HeraldConfig,
  newCorrelationId,
  SECRET_BOX,
  type SealedSecret,
  type SecretBox,
  streams,
} from '@herald/core';
import { isSimplyPluralTokenRejection, SimplyPluralClient } from '../clients/simplyplural.client';
import { FrontingState } from '../commands/fronting-state';
import { sameSealedSecret, systemDecider, type SystemCommand } from '../domain/system.decider';
import { SimplyPluralWatcher } from './simplyplural-watcher';

interface RunningWatcher {
  watcher: SimplyPluralWatcher;
  /** The sealing of the token it watches with: a new sealing means the user set the token again. */
  sealed: SealedSecret;
}

/**
 * One SimplyPlural watcher per user whose updater is on. `reconcile` brings a user's watcher in
 * line with the system stream (start, restart with a new token, stop); calls for one user run
 * one after another.
 */
@Injectable()
export class SimplyPluralWatchers {
  private readonly logger = new Logger('SimplyPluralWatcher');
  private readonly running = new Map<string, RunningWatcher>();
  private readonly queues = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly state: FrontingState,
    private readonly simplyPlural: SimplyPluralClient,
    private readonly commands: CommandRunner,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  /**
   * Starts, restarts or stops the user's watcher as the settings say. With `reread`, a watcher that
   * stays re-reads at once: after a settings change the updater starts over and records afresh.
   */
  reconcile(userId: string, options: { reread: boolean }): Promise<void> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const next = previous
      .then(() => this.reconcileNow(userId, options.reread))
      .catch((error: unknown) => this.logger.error(`user ${userId}: watcher not updated: ${describe(error)}`));
    this.queues.set(userId, next);
    void next.finally(() => {
      if (this.queues.get(userId) === next) this.queues.delete(userId);
    });
    return next;
  }

  isWatching(userId: string): boolean {
    return this.running.has(userId);
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running.values()].map(({ watcher }) => watcher.stop()));
    this.running.clear();
  }

  private async reconcileNow(userId: string, reread: boolean): Promise<void> {
    if (this.stopped) return;
    const { state } = await this.state.system(userId);
    const current = this.running.get(userId);
    const token = state.enableToPluralKit && state.pluralKitToken ? state.simplyPluralToken : null;
    if (current && token && sameSealedSecret(current.sealed, token.sealed)) {
      if (reread) current.watcher.trigger();
      return;
    }
    if (current) {
      this.running.delete(userId);
      await current.watcher.stop();
    }
    if (!token) return;
    const plaintext = await this.secrets.open(userId, token.sealed);
    const watcher = new SimplyPluralWatcher(
      userId,
      plaintext,
      {
        socketUrl: this.simplyPlural.socketUrl,
        readFronters: (simplyPluralToken) => this.simplyPlural.fronters(simplyPluralToken),
        isTokenRejection: isSimplyPluralTokenRejection,
        observe: (fronters) => this.record(userId, { type: 'ObserveFronters', fronters }),
        rejectToken: () => this.record(userId, { type: 'RecordTokenRejected', service: 'simplyplural', token: token.sealed }),
      },
      {
        debounceMs: this.config.fronting.simplyPluralDebounceMs,
        refreshMs: this.config.fronting.simplyPluralRefreshMs,
        pingMs: this.config.fronting.simplyPluralPingMs,
        retryBaseMs: this.config.fronting.simplyPluralRetryBaseMs,
        authFailurePauseMs: this.config.fronting.simplyPluralAuthFailurePauseMs,
      },
      this.logger,
    );
    this.running.set(userId, { watcher, sealed: token.sealed });
    watcher.start();
    this.logger.log(`user ${userId}: watching SimplyPlural`);
  }

  private async record(userId: string, command: SystemCommand): Promise<void> {
    await this.commands.run({
      streamId: streams.system(userId),
      decider: systemDecider,
      command,
      context: { source: 'system', correlationId: newCorrelationId(), userId },
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
