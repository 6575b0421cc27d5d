import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock, type CommandContext, HeraldError, SECRET_BOX, type SealedSecret, type SecretBox } from '@herald/core';
import { HeraldMetrics } from '@herald/observability';
import { randomUUID } from 'node:crypto';
import type { ReconnectReason } from '../domain/events';
import { ReconnectRequired, type StoredTokens, TokenRefreshInProgress } from '../domain/integration.decider';
import type { DataImportPlugin, PluginConfig, PluginCredentials } from '../domain/plugin';
import { RefreshTokenRejected } from '../domain/plugin-errors';
import { type IntegrationKey, integrationStreamId, IntegrationStreams } from './integration-streams';

/** Tokens in plain text, with the version (connection or refresh id) they have in the log. */
export interface ActiveCredentials {
  credentials: PluginCredentials;
  version: string;
}

/** Refresh this long before the access token expires, so no request goes out with a dying token. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** A refresh lock lapses after this; a refresh (one request, no retries) ends well within it. */
const REFRESH_LOCK_MS = 60_000;
/** How often a sync waiting on another's refresh looks at the log, and for how long at most. */
const WAIT_POLL_MS = 50;
const WAIT_LIMIT_MS = 30_000;

/** Another process's refresh neither finished nor lapsed in time. */
export class TokenRefreshStalled extends Error {
  constructor() {
    super('another token refresh of this integration did not finish in time');
    this.name = 'TokenRefreshStalled';
  }
}

/**
 * An integration's tokens: sealed with the integration's own key, opened only to be used, and
 * refreshed at most once per token. The lock is the log: a refresh first appends
 * `TokenRefreshStarted` at the revision it read, so of two syncs (in this process or another)
 * only one spends the refresh token; the other waits for the `TokensRefreshed` it appends.
 */
@Injectable()
export class IntegrationTokens {
  private readonly logger = new Logger('Imports');

  constructor(
    private readonly streams: IntegrationStreams,
    private readonly metrics: HeraldMetrics,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async seal(key: IntegrationKey, credentials: PluginCredentials): Promise<SealedSecret> {
    const { accessToken, refreshToken } = credentials;
    return this.secrets.seal(integrationStreamId(key), JSON.stringify({ accessToken, refreshToken }));
  }

  async open(key: IntegrationKey, tokens: StoredTokens): Promise<ActiveCredentials> {
    const { accessToken, refreshToken } = JSON.parse(await this.secrets.open(integrationStreamId(key), tokens.credentials)) as {
      accessToken: string;
      refreshToken: string;
    };
    return {
      credentials: { accessToken, refreshToken, expiresAt: tokens.expiresAt, tokenType: tokens.tokenType, scopes: tokens.scopes },
      version: tokens.version,
    };
  }

  /** Deletes the integration's key: every token ever sealed for it becomes unreadable, wherever the log is copied. */
  forget(key: IntegrationKey): Promise<void> {
    return this.secrets.forget(integrationStreamId(key));
  }

  /** Tokens good for a while yet: the stored ones, or new ones when they are about to expire. */
  async current(key: IntegrationKey, plugin: DataImportPlugin, config: PluginConfig, context: CommandContext): Promise<ActiveCredentials> {
    const { state } = await this.streams.load(key);
    if (state.reconnect !== null) throw new ReconnectRequired(plugin.id);
    const tokens = state.tokens;
    if (tokens !== null && Date.parse(tokens.expiresAt) - this.clock.now().getTime() > REFRESH_MARGIN_MS) return this.open(key, tokens);
    return this.refresh(key, plugin, config, tokens?.version ?? '', context);
  }

  /**
   * Tokens newer than `staleVersion`: someone else's refresh if one happened since, else this one.
   * A dead refresh token (`invalid_grant`) records that the user must reconnect.
   */
  async refresh(
    key: IntegrationKey,
    plugin: DataImportPlugin,
    config: PluginConfig,
    staleVersion: string,
    context: CommandContext,
  ): Promise<ActiveCredentials> {
    const waitUntil = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const { state } = await this.streams.load(key);
      if (state.reconnect !== null) throw new ReconnectRequired(plugin.id);
      if (state.tokens !== null && state.tokens.version !== staleVersion) return this.open(key, state.tokens);
      const now = this.clock.now();
      const refreshId = randomUUID();
      try {
        const { events } = await this.streams.run(
          key,
          {
            type: 'StartTokenRefresh',
            refreshId,
            basedOn: staleVersion,
            now: now.toISOString(),
            until: new Date(now.getTime() + REFRESH_LOCK_MS).toISOString(),
          },
          context,
        );
        // Nothing decided: the tokens changed between the load and the decision; take the new ones.
        if (events.length === 0) continue;
      } catch (error) {
        if (!(error instanceof TokenRefreshInProgress)) throw error;
        if (Date.now() > waitUntil) throw new TokenRefreshStalled();
        await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
        continue;
      }
      return this.spend(key, plugin, config, refreshId, staleVersion, context);
    }
  }

  /** Records that the user must connect again (unless a newer connection already replaced `basedOn`). */
  async requireReconnect(key: IntegrationKey, reason: ReconnectReason, basedOn: string, context: CommandContext): Promise<void> {
    await this.streams.run(key, { type: 'RequireReconnect', reason, basedOn }, context);
  }

  /** Holding the lock: spends the refresh token and records the new tokens. */
  private async spend(
    key: IntegrationKey,
    plugin: DataImportPlugin,
    config: PluginConfig,
    refreshId: string,
    staleVersion: string,
    context: CommandContext,
  ): Promise<ActiveCredentials> {
    const { state } = await this.streams.load(key);
    const stale = await this.open(key, state.tokens!);
    let fresh: PluginCredentials;
    try {
      fresh = await plugin.refreshTokens(stale.credentials, config);
    } catch (error) {
      const rejected = error instanceof RefreshTokenRejected;
      this.metrics.importTokenRefreshes.inc({ plugin: plugin.id, outcome: rejected ? 'rejected' : 'failed' });
      if (rejected) {
        this.logger.warn(`${plugin.id} refused the refresh token of user ${key.userId}: reconnect needed`);
        await this.requireReconnect(key, 'refresh_token_rejected', staleVersion, context);
        throw new ReconnectRequired(plugin.id);
      }
      await this.streams.run(key, { type: 'RecordRefreshFailure', refreshId, reason: refreshFailure(plugin, error) }, context);
      throw error;
    }
    this.metrics.importTokenRefreshes.inc({ plugin: plugin.id, outcome: 'refreshed' });
    const { expiresAt, tokenType, scopes } = fresh;
    const sealed = await this.seal(key, fresh);
    await this.streams.run(key, { type: 'RecordRefreshedTokens', data: { refreshId, credentials: sealed, expiresAt, tokenType, scopes } }, context);
    return { credentials: fresh, version: refreshId };
  }
}

/** Why a refresh failed, in Herald's words (an upstream's own message may quote the token). */
function refreshFailure(plugin: DataImportPlugin, error: unknown): string {
  if (error instanceof HeraldError) return error.detail ?? error.title;
  return `${plugin.name} could not be asked for new tokens.`;
}
