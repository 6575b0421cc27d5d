import { Controller, Delete, Get, HttpCode, Param, Put, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput } from '@herald/core';
import { type AuthenticatedRequest, Caller, RequireScopes, restCommandContext, UserIdParams } from '@herald/identity';
import { InvalidReadQuery } from '@herald/readstore';
import { FollowUserCommand } from '../commands/follow-user.command';
import { UnfollowUserCommand } from '../commands/unfollow-user.command';
import { PresenceReadModel } from '../projections/presence.read-model';
import { ownUserId } from '@herald/identity';
import { FollowersQuery } from './presence-requests.dto';
import { FollowersResponse } from './presence.responses';

@ApiTags('presence')
@ApiBearerAuth()
@Controller('api/v1')
export class FollowsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: PresenceReadModel,
  ) {}

  @ApiOperation({ summary: "Follows the user: their presence changes reach the caller's sockets (as privacy allows)" })
  @ApiNoContentResponse()
  @Put('me/follows/:userId')
  @HttpCode(204)
  async follow(@Param() { userId }: UserIdParams, @Caller() caller: Caller | undefined, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.commands.execute(new FollowUserCommand(ownUserId(caller), userId, restCommandContext(request, caller)));
  }

  @ApiOperation({ summary: 'Stops following the user' })
  @ApiNoContentResponse()
  @Delete('me/follows/:userId')
  @HttpCode(204)
  async unfollow(@Param() { userId }: UserIdParams, @Caller() caller: Caller | undefined, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.commands.execute(new UnfollowUserCommand(ownUserId(caller), userId, restCommandContext(request, caller)));
  }

  @ApiOperation({ summary: "The user's followers, oldest follow first (the user's own token, or the operator's)" })
  @ApiOkResponse({ type: FollowersResponse })
  @RequireScopes('user:{userId}')
  @Get('users/:userId/followers')
  async followers(@Param() { userId }: UserIdParams, @Query() { limit, cursor }: FollowersQuery): Promise<FollowersResponse> {
    try {
      const page = await this.readModel.followers(userId, { limit, cursor });
      return {
        items: page.items.map((follower) => ({ userId: follower.id, since: follower.since })),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    } catch (error) {
      if (cursor === undefined || !(error instanceof InvalidReadQuery)) throw error;
      throw new InvalidInput('Invalid field: cursor.', { errors: [{ field: 'cursor', messages: ['cursor must be the nextCursor of the previous page'] }] });
    }
  }
}
