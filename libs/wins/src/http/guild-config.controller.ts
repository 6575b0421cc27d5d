import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { CommandContext } from '@herald/core';
import { RequireScopes } from '@herald/identity';
import { ConfigureGuildCommand } from '../commands/configure-guild.command';
import type { GuildChange } from '../domain/guild.decider';
import type { GuildState } from '../domain/guild.decider';
import { normalizeClanTag } from '../domain/ids';
import { WinsReadModel } from '../projections/wins.read-model';
import { registeredGuildSettings } from './registered-guild';
import { RestContext } from './rest-context.decorator';
import { ClanTagParams, GuildParams, GuildRoleParams, ThresholdParams } from './wins-params.dto';
import { AddClanTagBody, SetRoleThresholdBody } from './wins-requests.dto';
import {
  AdminRoleListResponse,
  ClanTagListResponse,
  ClanTagResponse,
  RoleThresholdListResponse,
  RoleThresholdResponse,
} from './wins.responses';

/** The guild's role thresholds, clan tags and admin roles: each change is one guild event. */
@ApiTags('wins')
@ApiBearerAuth()
@RequireScopes('guild:{guildId}:admin')
@Controller('api/v1/guilds/:guildId')
export class GuildConfigController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: WinsReadModel,
  ) {}

  @ApiOperation({ summary: 'Win thresholds and the role each gives' })
  @ApiOkResponse({ type: RoleThresholdListResponse })
  @Get('role-thresholds')
  async thresholds(@Param() { guildId }: GuildParams): Promise<RoleThresholdListResponse> {
    const settings = await registeredGuildSettings(this.readModel, guildId);
    return { items: settings.thresholds.map(({ wins, roleId }) => ({ wins, roleId })) };
  }

  @ApiOperation({ summary: 'Members with at least `wins` wins get this role (one role per threshold, one threshold per role)' })
  @ApiOkResponse({ type: RoleThresholdResponse })
  @Put('role-thresholds/:wins')
  async setThreshold(
    @Param() { guildId, wins }: ThresholdParams,
    @Body() { roleId }: SetRoleThresholdBody,
    @RestContext() context: CommandContext,
  ): Promise<RoleThresholdResponse> {
    await this.configure({ type: 'SetRoleThreshold', guildId, wins, roleId }, context);
    return { wins, roleId };
  }

  @ApiOperation({ summary: 'Removes a threshold; members lose its role at once' })
  @ApiNoContentResponse()
  @Delete('role-thresholds/:wins')
  @HttpCode(204)
  async removeThreshold(
    @Param() { guildId, wins }: ThresholdParams,
    @RestContext() context: CommandContext,
  ): Promise<void> {
    await this.configure({ type: 'RemoveRoleThreshold', guildId, wins }, context);
  }

  @ApiOperation({ summary: 'Clan tags whose games count in the `sessions_with_clan` mode' })
  @ApiOkResponse({ type: ClanTagListResponse })
  @Get('clan-tags')
  async clanTags(@Param() { guildId }: GuildParams): Promise<ClanTagListResponse> {
    return { items: (await registeredGuildSettings(this.readModel, guildId)).clanTags };
  }

  @ApiOperation({ summary: 'Adds a clan tag (stored upper-case)' })
  @ApiCreatedResponse({ type: ClanTagResponse })
  @Post('clan-tags')
  async addClanTag(
    @Param() { guildId }: GuildParams,
    @Body() { tag }: AddClanTagBody,
    @RestContext() context: CommandContext,
  ): Promise<ClanTagResponse> {
    await this.configure({ type: 'AddClanTag', guildId, tag }, context);
    return { tag: normalizeClanTag(tag)! };
  }

  @ApiOperation({ summary: 'Removes a clan tag' })
  @ApiNoContentResponse()
  @Delete('clan-tags/:tag')
  @HttpCode(204)
  async removeClanTag(
    @Param() { guildId, tag }: ClanTagParams,
    @RestContext() context: CommandContext,
  ): Promise<void> {
    await this.configure({ type: 'RemoveClanTag', guildId, tag }, context);
  }

  @ApiOperation({ summary: "Roles whose holders run the guild's admin slash commands" })
  @ApiOkResponse({ type: AdminRoleListResponse })
  @Get('admin-roles')
  async adminRoles(@Param() { guildId }: GuildParams): Promise<AdminRoleListResponse> {
    return { items: (await registeredGuildSettings(this.readModel, guildId)).adminRoleIds };
  }

  @ApiOperation({ summary: 'Makes a role a Herald admin role of the guild' })
  @ApiNoContentResponse()
  @Put('admin-roles/:roleId')
  @HttpCode(204)
  async addAdminRole(
    @Param() { guildId, roleId }: GuildRoleParams,
    @RestContext() context: CommandContext,
  ): Promise<void> {
    await this.configure({ type: 'AddAdminRole', guildId, roleId }, context);
  }

  @ApiOperation({ summary: 'Removes a Herald admin role' })
  @ApiNoContentResponse()
  @Delete('admin-roles/:roleId')
  @HttpCode(204)
  async removeAdminRole(
    @Param() { guildId, roleId }: GuildRoleParams,
    @RestContext() context: CommandContext,
  ): Promise<void> {
    await this.configure({ type: 'RemoveAdminRole', guildId, roleId }, context);
  }

  private configure(change: GuildChange, context: CommandContext): Promise<GuildState> {
    return this.commands.execute(new ConfigureGuildCommand(change, context));
  }
}
