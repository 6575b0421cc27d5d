import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  type CommandContext,
  HERALD_CONFIG,
  HeraldError,
  type HeraldConfig,
  SECRET_BOX,
  type SealedSecret,
  type SecretBox,
} from '@herald/core';
import type { HttpOnlyCookie } from '@herald/identity';
import { READ_STORE, type ReadStore } from '@herald/readstore';
import { randomUUID } from 'node:crypto';
import { OAuth2TokenClient } from '../clients/oauth2-token.client';
import { isValidTimeZone } from '../domain/dates';
import { type AuthorizationError, AUTHORIZATION_TTL_MS, authorizeUrl, digest, randomSecret } from '../domain/oauth';
import type { CredentialCheck, DataImportPlugin, PluginConfig, PluginCredentials } from '../domain/plugin';
import { CredentialsRejected } from '../domain/plugin-errors';
import { PluginRegistry } from '../plugins/plugin-registry';
import { SyncStatusStore } from '../reactors/sync-status';
import { IntegrationStreams } from './integration-streams';
import { IntegrationTokens } from './integration-tokens';
import { OneTimeEntries, type OneTimeEntry } from './one-time-entries';
import { PluginSettings } from './plugin-settings';

/** Global scope: authorizations begun and not yet completed, id = SHA-256 of the state. */
export const PENDING_AUTHORIZATIONS_COLLECTION = 'oauth_pending_authorizations';
/** Global scope: connect links not yet opened, id = SHA-256 of the ticket. */
export const CONNECT_TICKETS_COLLECTION = 'oauth_connect_tickets';

/** The secret-box subject of PKCE verifiers waiting for their callback. */
const PENDING_VERIFIER_SUBJECT = 'oauth-pending';

interface PendingAuthorization extends OneTimeEntry {
  /** SHA-256 of the HttpOnly cookie that binds the authorization to the browser that began it. */
  bindingDigest: string;
  verifier: SealedSecret;
}

export interface AuthorizationStart {
  /** The provider's authorize page, with state and PKCE challenge. */
  redirectUrl: string;
  /** Ties the callback to the browser that began the authorization. */
  cookie: HttpOnlyCookie;
}

export interface ConnectLink {
  url: string;
  expiresAt: string;
}

export type ConnectLinkError = 'invalid_link' | 'expired';

/** What the provider's redirect back carried. */
export interface CallbackQuery {
  state?: string;
  code?: string;
  error?: string;
}

export class PluginNotConfigured extends HeraldError {
  constructor(plugin: DataImportPlugin) {
    super({
      code: 'PLUGIN.NOT_CONFIGURED',
      status: 409,
      title: 'Plugin not configured',
      detail: `${plugin.name} cannot be connected yet: the operator has not given Herald its client credentials.`,
    });
  }
}

/**
 * OAuth2 authorization code with PKCE (S256), for any plugin. The pending authorization lives in
 * the shared store for ten minutes, bound to the browser by an HttpOnly cookie; the callback
 * takes it once, exchanges the code and records `IntegrationConnected` with the tokens sealed.
 * Every refusal is one of the named errors, and stores nothing.
 */
@Injectable()
export class AuthorizationFlow {
  private readonly logger = new Logger('Imports');
  private readonly pending: OneTimeEntries<PendingAuthorization>;
  private readonly tickets: OneTimeEntries<OneTimeEntry>;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly settings: PluginSettings,
    private readonly tokenEndpoint: OAuth2TokenClient,
    private readonly tokens: IntegrationTokens,
    private readonly streams: IntegrationStreams,
    private readonly statuses: SyncStatusStore,
    @Inject(READ_STORE) store: ReadStore,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    this.pending = new OneTimeEntries(store.global().collection<PendingAuthorization>(PENDING_AUTHORIZATIONS_COLLECTION));
    this.tickets = new OneTimeEntries(store.global().collection<OneTimeEntry>(CONNECT_TICKETS_COLLECTION));
  }

  /** The binding cookie of a plugin's authorizations, without its value: on the plugin's routes, so it goes to its callback and nowhere else. */
  cookie(pluginId: string): Omit<HttpOnlyCookie, 'value'> {
    const callback = new URL(this.settings.callbackUrl(pluginId));
    return {
      name: `herald_oauth_${pluginId}`,
      path: callback.pathname.slice(0, callback.pathname.lastIndexOf('/')),
      maxAgeMs: AUTHORIZATION_TTL_MS,
      secure: callback.protocol === 'https:',
    };
  }

  /** Begins connecting `userId` to the plugin: where to send the browser, and the cookie to give it. */
  async begin(userId: string, pluginId: string): Promise<AuthorizationStart> {
    const plugin = this.registry.get(pluginId);
    const config = await this.configured(plugin);
    const [state, verifier, binding] = [randomSecret(), randomSecret(), randomSecret()];
    const now = this.clock.now();
    await this.pending.put(
      {
        id: digest(state),
        pluginId,
        userId,
        expiresAt: new Date(now.getTime() + AUTHORIZATION_TTL_MS).toISOString(),
        bindingDigest: digest(binding),
        verifier: await this.secrets.seal(PENDING_VERIFIER_SUBJECT, verifier),
      },
      now,
    );
    return {
      redirectUrl: authorizeUrl(plugin.getOAuthConfig(config), state, verifier),
      cookie: { ...this.cookie(pluginId), value: binding },
    };
  }

  /**
   * Completes the authorization the provider redirected back for. The state must be one this
   * Herald handed out, to the browser presenting the cookie, less than ten minutes ago, and
   * unused; then the code is exchanged and the connection recorded.
   */
  async complete(
    pluginId: string,
    callback: CallbackQuery,
    binding: string | undefined,
    correlationId: string,
  ): Promise<{ connected: true } | { error: AuthorizationError }> {
    const plugin = this.registry.get(pluginId);
    if (!callback.state || !binding) return { error: 'invalid_state' };
    const bindingDigest = digest(binding);
    const taken = await this.pending.take(digest(callback.state), (entry) => entry.pluginId === pluginId && entry.bindingDigest === bindingDigest);
    if ('refused' in taken) return { error: 'invalid_state' };
    const authorization = taken.taken;
    if (Date.parse(authorization.expiresAt) <= this.clock.now().getTime()) return { error: 'expired' };
    // Any refusal by the provider means the user did not grant access (access_denied, invalid_scope, …).
    if (callback.error !== undefined) return { error: 'access_denied' };
    if (!callback.code) return { error: 'token_exchange_failed' };

    const config = await this.settings.config(plugin);
    const credentials = await this.exchange(plugin, config, callback.code, await this.secrets.open(PENDING_VERIFIER_SUBJECT, authorization.verifier));
    if (credentials === null) return { error: 'token_exchange_failed' };
    let check: CredentialCheck;
    try {
      check = await plugin.validateCredentials(credentials);
    } catch (error) {
      if (error instanceof CredentialsRejected) return { error: 'token_exchange_failed' };
      throw error;
    }
    await this.connect(plugin, authorization.userId, credentials, check, { source: 'rest', actorId: authorization.userId, correlationId });
    return { connected: true };
  }

  /** A one-time link that begins connecting `userId` from any browser (for Discord, or a REST client's user). */
  async issueConnectLink(userId: string, pluginId: string): Promise<ConnectLink> {
    const plugin = this.registry.get(pluginId);
    await this.configured(plugin);
    const ticket = randomSecret();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + AUTHORIZATION_TTL_MS).toISOString();
    await this.tickets.put({ id: digest(ticket), pluginId, userId, expiresAt }, now);
    return { url: `${this.config.publicUrl}/api/v1/plugins/${pluginId}/connect?ticket=${ticket}`, expiresAt };
  }

  /** The user a connect link was issued to; the link is then used up. */
  async redeemConnectLink(pluginId: string, ticket: string | undefined): Promise<{ userId: string } | { error: ConnectLinkError }> {
    if (!ticket) return { error: 'invalid_link' };
    const taken = await this.tickets.take(digest(ticket), (entry) => entry.pluginId === pluginId);
    if ('refused' in taken) return { error: 'invalid_link' };
    if (Date.parse(taken.taken.expiresAt) <= this.clock.now().getTime()) return { error: 'expired' };
    return { userId: taken.taken.userId };
  }

  private async configured(plugin: DataImportPlugin): Promise<PluginConfig> {
    const config = await this.settings.config(plugin);
    if (!plugin.isConfigured(config)) throw new PluginNotConfigured(plugin);
    return config;
  }

  private async exchange(plugin: DataImportPlugin, config: PluginConfig, code: string, verifier: string): Promise<PluginCredentials | null> {
    try {
      const outcome = await this.tokenEndpoint.exchangeCode(plugin.id, plugin.getOAuthConfig(config), code, verifier);
      if (outcome.ok) return outcome.credentials;
      this.logger.warn(`${plugin.id} refused to exchange an authorization code (HTTP ${outcome.status})`);
    } catch (error) {
      this.logger.warn(`${plugin.id} code exchange failed: ${error instanceof HeraldError ? (error.detail ?? error.title) : 'no usable answer'}`);
    }
    return null;
  }

  private async connect(
    plugin: DataImportPlugin,
    userId: string,
    credentials: PluginCredentials,
    check: CredentialCheck,
    context: CommandContext,
  ): Promise<void> {
    const key = { userId, pluginId: plugin.id };
    const { expiresAt, tokenType, scopes } = credentials;
    const timeZone = check.timeZone !== undefined && isValidTimeZone(check.timeZone) ? check.timeZone : null;
    await this.streams.run(
      key,
      {
        type: 'Connect',
        data: { pluginId: plugin.id, connectionId: randomUUID(), credentials: await this.tokens.seal(key, credentials), expiresAt, tokenType, scopes, timeZone },
      },
      context,
    );
    await this.statuses.connected(key);
    this.logger.log(`user ${userId} connected ${plugin.id}`);
  }
}
