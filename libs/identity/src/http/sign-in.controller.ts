import { Body, Controller, Get, Header, HttpCode, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { HERALD_CONFIG, type HeraldConfig, Public, Unauthenticated } from '@herald/core';
import { type AuthenticatedRequest, Caller, correlationIdOf, restCommandContext } from '../auth/caller';
import { cameOverTls, clearHttpOnlyCookie, cookieOf, type HttpOnlyCookie, setHttpOnlyCookie } from '../auth/cookies';
import { WebSessions } from '../commands/web-sessions';
import { SignInFailed } from '../domain/discord-sign-in';
import { OPERATOR_SCOPE } from '../domain/scopes';
import { sameSecret, SESSION_COOKIE } from '../domain/web-session';
import { OperatorSignInBody, SessionResponse } from './sign-in.dto';

/** Binds Discord's redirect back to the browser that began the sign-in. */
const STATE_COOKIE = { name: 'herald_sign_in_state', path: '/auth/discord', maxAgeMs: 10 * 60_000 };

/**
 * The web console's sign-in: with Discord (OAuth2 authorization code), or with the operator token.
 * Either gives the browser a session in the HttpOnly cookie `herald_session`; the token is in no
 * answer's body. A failed Discord sign-in lands on `/sign-in?error=<code>`.
 */
@ApiTags('console')
@Controller('auth')
export class SignInController {
  private readonly logger = new Logger('SignIn');

  constructor(
    private readonly sessions: WebSessions,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  @ApiOperation({ summary: "Begins signing in with Discord: redirects to Discord's authorize page" })
  @ApiFoundResponse({ description: "Location: Discord's authorize page, or /sign-in?error=not_configured" })
  @Public()
  @Get('discord')
  beginDiscord(@Req() request: Request, @Res() response: Response): void {
    const state = randomBytes(32).toString('base64url');
    try {
      const authorizeUrl = this.sessions.discordAuthorizeUrl(state);
      setHttpOnlyCookie(response, this.stateCookie(request, state));
      response.redirect(302, authorizeUrl);
    } catch (failure) {
      if (!(failure instanceof SignInFailed)) throw failure;
      this.failed(response, failure);
    }
  }

  @ApiOperation({ summary: "Discord's redirect back: checks the state, exchanges the code, opens the session" })
  @ApiFoundResponse({
    description: 'Location: `/` with the session cookie, or /sign-in?error=access_denied|invalid_state|discord_unavailable|discord_refused|not_configured',
  })
  @Public()
  @Get('discord/callback')
  async completeDiscord(
    @Query('code') code: unknown,
    @Query('state') state: unknown,
    @Query('error') error: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const boundState = cookieOf(request, STATE_COOKIE.name);
    clearHttpOnlyCookie(response, this.stateCookie(request, ''));
    try {
      this.sessions.requireDiscordApplication();
      if (typeof state !== 'string' || boundState === undefined || !sameSecret(state, boundState)) {
        throw new SignInFailed('invalid_state', 'the state is missing or not the one this browser was given');
      }
      // Discord names the refusal (access_denied, invalid_scope, …): any of them means no access was granted.
      if (error !== undefined) throw new SignInFailed('access_denied', 'the user did not authorize Herald');
      if (typeof code !== 'string' || code === '') throw new SignInFailed('discord_refused', 'Discord sent neither a code nor an error');
      this.openSession(request, response, await this.sessions.signInWithDiscord(code, correlationIdOf(request)));
      response.redirect(302, '/');
    } catch (failure) {
      if (!(failure instanceof SignInFailed)) throw failure;
      this.failed(response, failure);
    }
  }

  @ApiOperation({ summary: 'Opens an operator session with the operator token (HERALD_ADMIN_TOKEN)' })
  @ApiNoContentResponse({ description: 'Set-Cookie: the session' })
  @ApiUnauthorizedResponse({ description: 'The operator token is wrong' })
  @ApiTooManyRequestsResponse({ description: 'Five wrong tokens from this address in 15 minutes: Retry-After says when to try again' })
  @Public()
  @Post('operator')
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  async signInOperator(@Body() body: OperatorSignInBody, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    // The socket's address: no proxy header is trusted (a client could set any).
    const clientAddress = request.socket.remoteAddress ?? 'unknown';
    this.openSession(request, response, await this.sessions.signInOperator(body.token, correlationIdOf(request), clientAddress));
  }

  @ApiOperation({ summary: 'The browser session: who, scopes, admin guilds, and the CSRF token for writes' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiUnauthorizedResponse({ description: 'No session' })
  @ApiCookieAuth()
  @Get('session')
  @Header('Cache-Control', 'no-store')
  session(@Caller() caller: Caller): SessionResponse {
    const session = caller.browserSession;
    if (!session || !caller.userId) throw new Unauthenticated('No console session: sign in first.');
    return {
      userId: caller.userId,
      displayName: session.displayName,
      operator: caller.scopes.includes(OPERATOR_SCOPE),
      scopes: caller.scopes,
      adminGuilds: session.adminGuilds,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  }

  @ApiOperation({ summary: 'Signs out: revokes the session and clears its cookie (needs X-CSRF-Token)' })
  @ApiNoContentResponse()
  @ApiCookieAuth()
  @Post('sign-out')
  @HttpCode(204)
  async signOut(@Caller() caller: Caller, @Req() request: AuthenticatedRequest, @Res({ passthrough: true }) response: Response): Promise<void> {
    // A bearer caller has no session here: its token is not what signing out of the console ends.
    if (caller.browserSession && caller.userId && caller.tokenId) {
      await this.sessions.signOut(caller.userId, caller.tokenId, restCommandContext(request, caller));
    }
    clearHttpOnlyCookie(response, this.sessionCookie(request, ''));
  }

  private openSession(request: Request, response: Response, sessionToken: string): void {
    setHttpOnlyCookie(response, this.sessionCookie(request, sessionToken));
  }

  private sessionCookie(request: Request, value: string): HttpOnlyCookie {
    return { name: SESSION_COOKIE, value, path: '/', maxAgeMs: this.config.web.sessionTtlHours * 3_600_000, secure: cameOverTls(request, this.config.publicUrl) };
  }

  private stateCookie(request: Request, value: string): HttpOnlyCookie {
    return { ...STATE_COOKIE, value, secure: cameOverTls(request, this.config.publicUrl) };
  }

  private failed(response: Response, failure: SignInFailed): void {
    this.logger.warn(`sign-in with Discord failed (${failure.code}): ${failure.message}`);
    response.redirect(302, `/sign-in?error=${failure.code}`);
  }
}
