import { Controller, Get, Header, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { newCorrelationId, Public } from '@herald/core';
import { AuthorizationFlow, type ConnectLinkError } from '../commands/authorization-flow';
import type { AuthorizationError } from '../domain/oauth';
import { PluginRegistry } from '../plugins/plugin-registry';
import { bindingCookieOf, clearBindingCookie, setBindingCookie } from './binding-cookie';
import { PluginParams } from './imports-requests.dto';
import { connectionResultPage, isConnectionError } from './connection-result-page';

/**
 * The browser's side of connecting: a connect link, the provider's redirect back, and the page
 * that says how it went. Public: the browser carries no bearer token; the connect ticket, the
 * state and the HttpOnly cookie are what authenticate it. Every outcome is a redirect to the
 * result page, a failure with its named error.
 */
@ApiTags('imports')
@Public()
@Controller('api/v1/plugins')
export class OAuthController {
  constructor(
    private readonly authorization: AuthorizationFlow,
    private readonly registry: PluginRegistry,
  ) {}

  @ApiOperation({ summary: 'Opens a connect link: begins the authorization for the user the link was issued to' })
  @ApiFoundResponse({ description: "Location: the provider's authorize page, or the result page with error=invalid_link|expired" })
  @Get(':pluginId/connect')
  async connect(@Param() { pluginId }: PluginParams, @Query('ticket') ticket: unknown, @Res() response: Response): Promise<void> {
    this.registry.get(pluginId);
    const redeemed = await this.authorization.redeemConnectLink(pluginId, typeof ticket === 'string' ? ticket : undefined);
    if ('error' in redeemed) return this.showResult(response, pluginId, redeemed.error);
    const start = await this.authorization.begin(redeemed.userId, pluginId);
    setBindingCookie(response, start.cookie);
    response.redirect(302, start.redirectUrl);
  }

  @ApiOperation({ summary: "The provider's redirect back: checks state and cookie, exchanges the code, connects" })
  @ApiFoundResponse({ description: 'Location: the result page, with error=invalid_state|expired|access_denied|token_exchange_failed on failure' })
  @Get(':pluginId/callback')
  async callback(
    @Param() { pluginId }: PluginParams,
    @Query('state') state: unknown,
    @Query('code') code: unknown,
    @Query('error') error: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    this.registry.get(pluginId);
    const cookie = this.authorization.cookie(pluginId);
    const outcome = await this.authorization.complete(
      pluginId,
      { state: text(state), code: text(code), error: text(error) },
      bindingCookieOf(request, cookie.name),
      correlationIdOf(request),
    );
    clearBindingCookie(response, cookie);
    this.showResult(response, pluginId, 'error' in outcome ? outcome.error : null);
  }

  @ApiExcludeEndpoint()
  @Get(':pluginId/connected')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  result(@Param() { pluginId }: PluginParams, @Query('error') error: unknown, @Res() response: Response): void {
    const plugin = this.registry.get(pluginId);
    const named = isConnectionError(error) ? error : null;
    response.status(named === null ? 200 : 400).type('html').send(connectionResultPage(plugin.name, named));
  }

  private showResult(response: Response, pluginId: string, error: AuthorizationError | ConnectLinkError | null): void {
    response.redirect(302, `/api/v1/plugins/${pluginId}/connected${error === null ? '' : `?error=${error}`}`);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function correlationIdOf(request: Request): string {
  const id = (request as { id?: unknown }).id;
  return typeof id === 'string' ? id : newCorrelationId();
}
