import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { type CommandContext, InvalidInput } from '@herald/core';
import { RequireScopes } from '@herald/identity';
import { ConfigureGuildCommand } from '../commands/configure-guild.command';
import { RegisterGuildCommand } from '../commands/register-guild.command';
import { RemoveGuildCommand } from '../commands/remove-guild.command';
import type { GuildState } from '../domain/guild.decider';
import { type RoleProblem, WinsReadModel } from '../projections/wins.read-model';
import { registeredGuildSettings } from './registered-guild';
import { RestContext } from './rest-context.decorator';
import { GuildParams } from './wins-params.dto';
import { ChangeSettingsBody, RegisterGuildBody, RemoveGuildQuery } from './wins-requests.dto';
import { GuildRegistrationResponse, GuildSettingsResponse } from './wins.responses';

/** A guild's registration, removal and settings. */
@ApiTags('wins')
@ApiBearerAuth()
@Controller('api/v1/guilds')
export class GuildsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: WinsReadModel,
  ) {}

  @ApiOperation({ summary: 'Registers a guild with Herald (operator only); admin roles are seeded from Discord' })
  @ApiCreatedResponse({ type: GuildRegistrationResponse, description: 'Registered now' })
  @ApiOkResponse({ type: GuildRegistrationResponse, description: 'Registered already' })
  @RequireScopes('operator')
  @Put(':guildId')
  async register(
    @Param() { guildId }: GuildParams,
    @Body() body: RegisterGuildBody,
    @RestContext() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GuildRegistrationResponse> {
    const registration = await this.commands.execute(new RegisterGuildCommand(guildId, body.name ?? null, context));
    response.status(registration.created ? 201 : 200);
    return {
      guildId,
      name: registration.state.name,
      created: registration.created,
      missingThresholdRoleIds: registration.missingThresholdRoleIds,
    };
  }

  @ApiOperation({ summary: 'Removes the guild and all its data (needs `?confirm=true`)' })
  @ApiNoContentResponse()
  @RequireScopes('guild:{guildId}:admin')
  @Delete(':guildId')
  @HttpCode(204)
  async remove(
    @Param() { guildId }: GuildParams,
    @Query() query: RemoveGuildQuery,
    @RestContext() context: CommandContext,
  ): Promise<void> {
    await this.commands.execute(new RemoveGuildCommand(guildId, query.confirm === 'true', context));
  }

  @ApiOperation({ summary: "The guild's counting mode, sync interval and sync state, and role changes Discord refused" })
  @ApiOkResponse({ type: GuildSettingsResponse })
  @RequireScopes('guild:{guildId}:admin')
  @Get(':guildId/settings')
  async settings(@Param() { guildId }: GuildParams): Promise<GuildSettingsResponse> {
    const settings = await registeredGuildSettings(this.readModel, guildId);
    return settingsResponse(settings, settings.roleProblems);
  }

  @ApiOperation({ summary: 'Changes the counting mode and/or the sync interval; a new mode recounts every member now' })
  @ApiOkResponse({ type: GuildSettingsResponse })
  @RequireScopes('guild:{guildId}:admin')
  @Patch(':guildId/settings')
  async changeSettings(
    @Param() { guildId }: GuildParams,
    @Body() body: ChangeSettingsBody,
    @RestContext() context: CommandContext,
  ): Promise<GuildSettingsResponse> {
    if (body.countingMode === undefined && body.syncIntervalHours === undefined) {
      throw new InvalidInput('Nothing to change.', {
        errors: [{ field: 'body', messages: ['body must set countingMode, syncIntervalHours or both'] }],
      });
    }
    const state = await this.commands.execute(
      new ConfigureGuildCommand(
        { type: 'ChangeGuildSettings', guildId, countingMode: body.countingMode, syncIntervalHours: body.syncIntervalHours },
        context,
      ),
    );
    // The change itself is in `state`; refused role changes are only known to the read model.
    const projected = await this.readModel.settings(guildId);
    return settingsResponse(state, projected?.roleProblems ?? []);
  }
}

function settingsResponse(
  settings: Pick<GuildState, 'countingMode' | 'syncIntervalHours' | 'backoffUntil' | 'lastSyncAt'>,
  roleProblems: RoleProblem[],
): GuildSettingsResponse {
  const { countingMode, syncIntervalHours, backoffUntil, lastSyncAt } = settings;
  return { countingMode, syncIntervalHours, backoffUntil, lastSyncAt, roleProblems };
}
