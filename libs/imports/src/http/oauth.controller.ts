import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@herald/core';
import { clearHttpOnlyCookie, cookieOf, correlationIdOf, setHttpOnlyCookie } from '@herald/identity';
import { AuthorizationFlow, type ConnectLinkError } from '../commands/authorization-flow';
import type { AuthorizationError } from '../domain/oauth';
import { PluginRegistry } from '../plugins/plugin-registry';
import { PluginParams } from './imports-requests.dto';

/**
 * The browser's side of connecting: a connect link, and the provider's redirect back. Public: the
 * browser carries no bearer token; the connect ticket, the state and the HttpOnly cookie are what
 * authenticate it. Every outcome lands on the web console's Integrations page, which says how it
 * went: `/integrations?connected=<pluginId>`, or `/integrations?plugin=<pluginId>&error=<named error>`.
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
  @ApiFoundResponse({ description: "Location: the provider's authorize page, or /integrations?plugin=<id>&error=invalid_link|expired" })
  @Get(':pluginId/connect')
  async connect(@Param() { pluginId }: PluginParams, @Query('ticket') ticket: unknown, @Res() response: Response): Promise<void> {
    this.registry.get(pluginId);
    const redeemed = await this.authorization.redeemConnectLink(pluginId, typeof ticket === 'string' ? ticket : undefined);
    if ('error' in redeemed) return this.showResult(response, pluginId, redeemed.error);
    const start = await this.authorization.begin(redeemed.userId, pluginId);
    setHttpOnlyCookie(response, start.cookie);
    response.redirect(302, start.redirectUrl);
  }

  @ApiOperation({ summary: "The provider's redirect back: checks state and cookie, exchanges the code, connects" })
  @ApiFoundResponse({
    description: 'Location: /integrations?connected=<id>, or /integrations?plugin=<id>&error=invalid_state|expired|access_denied|token_exchange_failed',
  })
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
      cookieOf(request, cookie.name),
      correlationIdOf(request),
    );
    clearHttpOnlyCookie(response, cookie);
    this.showResult(response, pluginId, 'error' in outcome ? outcome.error : null);
  }

  private showResult(response: Response, pluginId: string, error: AuthorizationError | ConnectLinkError | null): void {
    const result = error === null ? new URLSearchParams({ connected: pluginId }) : new URLSearchParams({ plugin: pluginId, error });
    response.redirect(302, `/integrations?${result}`);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
