import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiFoundResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthenticatedRequest, restCommandContext, setHttpOnlyCookie } from '@herald/identity';
import { AuthorizationFlow } from '../commands/authorization-flow';
import { DisconnectIntegrationCommand } from '../commands/disconnect-integration.command';
import { SetIntegrationEnabledCommand } from '../commands/set-integration-enabled.command';
import { SyncIntegrationCommand } from '../commands/sync-integration.command';
import { IntegrationViews } from '../projections/integration-views';
import type { SyncResult } from '../reactors/integration-syncs';
import { PluginParams, SyncIntegrationBody, UpdateIntegrationBody } from './imports-requests.dto';
import { ConnectLinkResponse, IntegrationResponse, SyncResultResponse } from './imports.responses';
import { OwnUserId } from '@herald/identity';

/** The caller's integrations: list, connect, sync, pause, disconnect. */
@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/plugins')
export class PluginsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly views: IntegrationViews,
    private readonly authorization: AuthorizationFlow,
  ) {}

  @ApiOperation({ summary: "Every plugin with the caller's connection to it: connected, enabled, status, last sync, fields" })
  @ApiOkResponse({ type: [IntegrationResponse] })
  @Get()
  @Header('Cache-Control', 'no-store')
  list(@OwnUserId() userId: string): Promise<IntegrationResponse[]> {
    return this.views.all(userId);
  }

  @ApiOperation({
    summary: 'Begins connecting the plugin: redirects to the provider (OAuth2 code flow with PKCE) and sets the HttpOnly cookie the callback checks',
    description: 'For clients that follow the redirect in the browser holding the cookie; otherwise get a connect link.',
  })
  @ApiFoundResponse({ description: "Location: the provider's authorize page" })
  @Get(':pluginId/auth')
  async auth(@Param() { pluginId }: PluginParams, @OwnUserId() userId: string, @Res() response: Response): Promise<void> {
    const start = await this.authorization.begin(userId, pluginId);
    setHttpOnlyCookie(response, start.cookie);
    response.redirect(302, start.redirectUrl);
  }

  @ApiOperation({ summary: 'A one-time link (ten minutes) that connects the plugin from any browser' })
  @ApiOkResponse({ type: ConnectLinkResponse })
  @Post(':pluginId/connect-link')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  connectLink(@Param() { pluginId }: PluginParams, @OwnUserId() userId: string): Promise<ConnectLinkResponse> {
    return this.authorization.issueConnectLink(userId, pluginId);
  }

  @ApiOperation({ summary: 'Syncs now (default: the last 7 days; at most 100 days) and answers with what was imported' })
  @ApiOkResponse({ type: SyncResultResponse })
  @Post(':pluginId/sync')
  @HttpCode(200)
  sync(
    @Param() { pluginId }: PluginParams,
    @Body() body: SyncIntegrationBody,
    @OwnUserId() userId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<SyncResult> {
    return this.commands.execute(
      new SyncIntegrationCommand(userId, pluginId, { startDate: body.startDate, endDate: body.endDate }, restCommandContext(request, request.caller)),
    );
  }

  @ApiOperation({ summary: 'Pauses (enabled: false) or resumes the hourly syncs; the connection stays' })
  @ApiNoContentResponse()
  @Patch(':pluginId')
  @HttpCode(204)
  async update(
    @Param() { pluginId }: PluginParams,
    @Body() body: UpdateIntegrationBody,
    @OwnUserId() userId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<void> {
    await this.commands.execute(new SetIntegrationEnabledCommand(userId, pluginId, body.enabled, restCommandContext(request, request.caller)));
  }

  @ApiOperation({ summary: 'Disconnects the plugin and forgets its tokens (the values imported so far stay)' })
  @ApiNoContentResponse()
  @Delete(':pluginId')
  @HttpCode(204)
  async disconnect(@Param() { pluginId }: PluginParams, @OwnUserId() userId: string, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.commands.execute(new DisconnectIntegrationCommand(userId, pluginId, restCommandContext(request, request.caller)));
  }
}
