import { Body, Controller, Get, Header, Param, Put, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedRequest, OPERATOR_SCOPE, RequireScopes, restCommandContext } from '@herald/identity';
import { ConfigurePluginCommand } from '../commands/configure-plugin.command';
import { PluginSettings } from '../commands/plugin-settings';
import { PluginRegistry } from '../plugins/plugin-registry';
import { ConfigurePluginBody, PluginParams } from './imports-requests.dto';
import { AdminPluginResponse } from './imports.responses';

/** The operator's side of plugins: their settings (shown only as set or unset) and how to register Herald with each provider. */
@ApiTags('imports')
@ApiBearerAuth()
@RequireScopes(OPERATOR_SCOPE)
@Controller('api/v1/admin/plugins')
export class AdminPluginsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly registry: PluginRegistry,
    private readonly settings: PluginSettings,
  ) {}

  @ApiOperation({ summary: 'Every plugin: its settings (set or not, and from where), whether it is configured, and its setup info (the callback URL to register)' })
  @ApiOkResponse({ type: [AdminPluginResponse] })
  @Get()
  @Header('Cache-Control', 'no-store')
  list(): Promise<AdminPluginResponse[]> {
    return Promise.all(this.registry.all().map((plugin) => this.settings.adminView(plugin)));
  }

  @ApiOperation({ summary: "Sets (a string) or removes (null) a plugin's settings; values are sealed in the log and never shown" })
  @ApiOkResponse({ type: AdminPluginResponse })
  @Put(':pluginId/config')
  @Header('Cache-Control', 'no-store')
  configure(@Param() { pluginId }: PluginParams, @Body() body: ConfigurePluginBody, @Req() request: AuthenticatedRequest): Promise<AdminPluginResponse> {
    return this.commands.execute(new ConfigurePluginCommand(pluginId, body.values, restCommandContext(request, request.caller)));
  }
}
