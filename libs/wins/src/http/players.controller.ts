import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CommandContext, InvalidInput, NotFound } from '@herald/core';
import { Caller, grants, RequireScopes, scopes } from '@herald/identity';
import { InvalidReadQuery } from '@herald/readstore';
import { LinkPlayerCommand } from '../commands/link-player.command';
import { UnlinkPlayerCommand } from '../commands/unlink-player.command';
import type { LinkedBy } from '../domain/events';
import { type PlayerDocument, WinsReadModel } from '../projections/wins.read-model';
import { registeredGuildSettings } from './registered-guild';
import { RestContext } from './rest-context.decorator';
import { GuildMemberParams, GuildParams } from './wins-params.dto';
import { LeaderboardQuery, LinkPlayerBody } from './wins-requests.dto';
import { LeaderboardResponse, LinkResponse, PlayerResponse } from './wins.responses';

/** Links and counted players. A member's own `user:<id>` token reaches their own link; admins reach everyone's. */
@ApiTags('wins')
@ApiBearerAuth()
@Controller('api/v1/guilds/:guildId')
export class PlayersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: WinsReadModel,
  ) {}

  @ApiOperation({
    summary: 'Links the member to their OpenFront player and counts their wins now',
    description: 'The member must be in the guild (asked of Discord), whoever links them.',
  })
  @ApiOkResponse({ type: LinkResponse })
  @RequireScopes('user:{userId}', 'guild:{guildId}:admin')
  @Put('links/:userId')
  link(
    @Param() { guildId, userId }: GuildMemberParams,
    @Body() { playerId }: LinkPlayerBody,
    @Caller() caller: Caller,
    @RestContext() context: CommandContext,
  ): Promise<LinkResponse> {
    // A REST caller is not proven to be in the guild, and an admin may mistype a member's id.
    return this.commands.execute(new LinkPlayerCommand(guildId, userId, playerId, linkedBy(caller, guildId, userId), context, true));
  }

  @ApiOperation({ summary: "Unlinks the member's player; they lose their threshold role" })
  @ApiNoContentResponse()
  @RequireScopes('user:{userId}', 'guild:{guildId}:admin')
  @Delete('links/:userId')
  @HttpCode(204)
  async unlink(
    @Param() { guildId, userId }: GuildMemberParams,
    @RestContext() context: CommandContext,
  ): Promise<void> {
    await this.commands.execute(new UnlinkPlayerCommand(guildId, userId, context));
  }

  @ApiOperation({ summary: "A member's link, wins and role" })
  @ApiOkResponse({ type: PlayerResponse })
  @RequireScopes('user:{userId}', 'guild:{guildId}:admin')
  @Get('players/:userId')
  async player(@Param() { guildId, userId }: GuildMemberParams): Promise<PlayerResponse> {
    await registeredGuildSettings(this.readModel, guildId);
    const player = await this.readModel.player(guildId, userId);
    if (!player) throw new NotFound(`User ${userId} has no linked OpenFront player in this guild.`, { code: 'LINK.NOT_FOUND' });
    return playerResponse(player);
  }

  @ApiOperation({ summary: 'The leaderboard: most wins first, members never counted last' })
  @ApiOkResponse({ type: LeaderboardResponse })
  @RequireScopes('guild:{guildId}:admin')
  @Get('players')
  async leaderboard(@Param() { guildId }: GuildParams, @Query() { limit, cursor }: LeaderboardQuery): Promise<LeaderboardResponse> {
    await registeredGuildSettings(this.readModel, guildId);
    try {
      const page = await this.readModel.leaderboard(guildId, { limit, cursor });
      return { items: page.items.map(playerResponse), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    } catch (error) {
      if (cursor === undefined || !(error instanceof InvalidReadQuery)) throw error;
      throw new InvalidInput('Invalid field: cursor.', {
        errors: [{ field: 'cursor', messages: ['cursor must be the nextCursor of the previous page'] }],
      });
    }
  }
}

/** Admins (and the operator) linking someone else link them as admins; anyone linking themselves, as a member. */
function linkedBy(caller: Caller, guildId: string, userId: string): LinkedBy {
  return caller.userId !== userId && grants(caller.scopes, scopes.guildAdmin(guildId)) ? 'admin' : 'member';
}

function playerResponse(player: PlayerDocument): PlayerResponse {
  const { userId, playerId, linkedAt, wins, roleId, username, lastSyncAt, lastFailure } = player;
  return { userId, playerId, linkedAt, wins, roleId, username, lastSyncAt, lastFailure };
}
