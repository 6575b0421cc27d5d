import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock, type CommandContext, HERALD_CONFIG, type HeraldConfig, TooManyRequests, Unauthenticated } from '@herald/core';
import { ProjectionRunner } from '@herald/projections';
import { OPERATOR_ACTOR_ID } from '../auth/caller';
import { DiscordOAuthClient } from '../clients/discord-oauth.client';
import { adminGuildsOf, administers, discordSessionScopes, SignInFailed } from '../domain/discord-sign-in';
import { OPERATOR_SCOPE } from '../domain/scopes';
import { afterFailedSignIn, type FailedSignIns, signInLockedFor } from '../domain/sign-in-attempts';
import { OPERATOR_DISPLAY_NAME, sameSecret, WEB_SESSION_LABEL, type WebSessionProfile } from '../domain/web-session';
import { ApiTokensProjection } from '../projections/api-tokens.projection';
import { RegisteredGuildsReadModel } from '../projections/registered-guilds.projection';
import { TokenService } from './token.service';

/** How long sign-in waits for the token's read model, so the console's next request is already authenticated. */
const READ_YOUR_SESSION_MS = 5_000;

/**
 * Opens and closes web console sessions. A session is a personal API token (label
 * `web console session`, expiring after WEB_SESSION_TTL_HOURS) that carries the console's profile;
 * each call waits until the auth guard's read model has it, so the browser's next request sees it.
 */
@Injectable()
export class WebSessions {
  private readonly logger = new Logger('SignIn');
  /** Wrong operator tokens by client address (this process only), so guessing the token is slow. */
  private readonly failedOperatorSignIns = new Map<string, FailedSignIns>();

  constructor(
    private readonly tokens: TokenService,
    private readonly discord: DiscordOAuthClient,
    private readonly registeredGuilds: RegisteredGuildsReadModel,
    private readonly projections: ProjectionRunner,
    private readonly apiTokensProjection: ApiTokensProjection,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Sign-in with Discord needs Herald's Discord application: `not_configured` without it. */
  requireDiscordApplication(): void {
    if (!this.config.web.discordClientId || !this.config.web.discordClientSecret) {
      throw new SignInFailed('not_configured', 'DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET are not both set');
    }
  }

  /** Where Discord sends the browser back: it must be one of the application's registered redirects. */
  get discordRedirectUri(): string {
    return `${this.config.publicUrl}/auth/discord/callback`;
  }

  /** Discord's authorize page for this sign-in. */
  discordAuthorizeUrl(state: string): string {
    this.requireDiscordApplication();
    const url = new URL(this.config.web.discordAuthorizeUrl);
    const params = {
      response_type: 'code',
      client_id: this.config.web.discordClientId ?? '',
      scope: 'identify guilds',
      redirect_uri: this.discordRedirectUri,
      state,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  }

  /**
   * Exchanges the code, reads who the user is and which guilds they administer, and issues their
   * session: `user:<id>` plus `guild:<id>:admin` for each administered guild Herald serves. Returns
   * the session token, for the cookie only. Discord's access token serves these reads and is kept nowhere.
   */
  async signInWithDiscord(code: string, correlationId: string): Promise<string> {
    this.requireDiscordApplication();
    const accessToken = await this.discord.exchangeCode(code, this.discordRedirectUri);
    const [user, guilds] = await Promise.all([this.discord.currentUser(accessToken), this.discord.currentUserGuilds(accessToken)]);
    const registered = await this.registeredGuilds.registered(guilds.filter(administers).map((guild) => guild.id));
    const adminGuilds = adminGuildsOf(guilds, registered);
    const session = await this.issue(user.id, discordSessionScopes(user.id, adminGuilds), { displayName: user.displayName, adminGuilds }, correlationId);
    this.logger.log(`user ${user.id} signed in to the console (admin of ${adminGuilds.length} guilds)`);
    return session;
  }

  /**
   * An operator session, for whoever shows the operator token (compared by digest, in constant time).
   * An address that sent five wrong tokens in 15 minutes is answered 429 until the oldest of them is
   * 15 minutes old, whatever it sends: the operator's bearer token still works meanwhile.
   */
  async signInOperator(operatorToken: string, correlationId: string, clientAddress: string): Promise<string> {
    const now = this.clock.now().getTime();
    const failures = this.failedOperatorSignIns.get(clientAddress) ?? [];
    const waitMs = signInLockedFor(failures, now);
    if (waitMs > 0) {
      throw new TooManyRequests('Too many wrong operator tokens from this address: try again later.', {
        code: 'AUTH.TOO_MANY_ATTEMPTS',
        retryAfterSeconds: waitMs / 1000,
      });
    }
    const expected = this.config.adminToken;
    if (expected === undefined || !sameSecret(operatorToken, expected)) {
      this.rememberFailedSignIn(clientAddress, afterFailedSignIn(failures, now));
      this.logger.warn(`a wrong operator token from ${clientAddress}`);
      throw new Unauthenticated('The operator token is wrong.');
    }
    this.failedOperatorSignIns.delete(clientAddress);
    const session = await this.issue(OPERATOR_ACTOR_ID, [OPERATOR_SCOPE], { displayName: OPERATOR_DISPLAY_NAME, adminGuilds: [] }, correlationId);
    this.logger.log('the operator signed in to the console');
    return session;
  }

  /** Keeps at most 10,000 addresses: beyond that the one that failed longest ago is forgotten. */
  private rememberFailedSignIn(clientAddress: string, failures: FailedSignIns): void {
    this.failedOperatorSignIns.delete(clientAddress);
    if (this.failedOperatorSignIns.size >= 10_000) this.failedOperatorSignIns.delete(this.failedOperatorSignIns.keys().next().value!);
    this.failedOperatorSignIns.set(clientAddress, failures);
  }

  /** Revokes the session's token; its cookie is refused from the answer on. */
  async signOut(userId: string, tokenId: string, context: CommandContext): Promise<void> {
    await this.tokens.revoke({ userId, tokenId, context });
    await this.readModelCaughtUp();
  }

  /** The session's user opens it: they are the actor of its `ApiTokenIssued`. */
  private async issue(userId: string, scopes: string[], profile: WebSessionProfile, correlationId: string): Promise<string> {
    const expiresAt = new Date(this.clock.now().getTime() + this.config.web.sessionTtlHours * 3_600_000);
    const context: CommandContext = { source: 'rest', actorId: userId, correlationId };
    const { token } = await this.tokens.issue({ userId, scopes, label: WEB_SESSION_LABEL, expiresAt, session: profile, context });
    await this.readModelCaughtUp();
    return token;
  }

  /** A slow read model delays the answer, never fails it: the event is recorded, and the guard sees it soon. */
  private async readModelCaughtUp(): Promise<void> {
    await this.projections.waitUntilCaughtUp(READ_YOUR_SESSION_MS, [this.apiTokensProjection.name]).catch((error: unknown) => {
      this.logger.warn(`the api-tokens read model is behind: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
