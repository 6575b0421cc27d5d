import { Body, Controller, Get, Header, HttpCode, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedRequest, Caller, restCommandContext } from '@herald/identity';
import { RecordHeartbeatCommand } from '../commands/record-heartbeat.command';
import { SetPresenceCommand } from '../commands/set-presence.command';
import { FOLLOWING_ORDER } from '../domain/presence';
import { presenceSeenBy } from '../domain/privacy';
import { PresenceReadModel } from '../projections/presence.read-model';
import { ownUserId } from '@herald/identity';
import { PresenceUsersQuery, SetPresenceBody } from './presence-requests.dto';
import { FollowingResponse, PresenceResponse, PresenceUsersResponse, UserPresenceResponse } from './presence.responses';

@ApiTags('presence')
@ApiBearerAuth()
@ApiExtraModels(PresenceResponse)
@Controller('api/v1/presence')
export class PresenceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: PresenceReadModel,
  ) {}

  @ApiOperation({
    summary: "Sets the caller's status, message and DAW (a missing message or DAW clears it); counts as a heartbeat",
    description: 'A change made before the last one applied (by `changedAt`) changes nothing; the answer is the current presence either way.',
  })
  @ApiOkResponse({ type: UserPresenceResponse })
  @Put('status')
  @Header('Cache-Control', 'no-store')
  async setStatus(@Body() body: SetPresenceBody, @Caller() caller: Caller | undefined, @Req() request: AuthenticatedRequest): Promise<UserPresenceResponse> {
    const userId = ownUserId(caller);
    const view = await this.commands.execute(new SetPresenceCommand(userId, body, restCommandContext(request, caller)));
    return { userId, ...view };
  }

  @ApiOperation({
    summary: 'Keeps the caller online for the presence timeout (5 minutes by default); send one every 4 minutes',
    description: 'No event is recorded for a heartbeat, unless it brings an offline user back online.',
  })
  @ApiNoContentResponse()
  @Post('heartbeat')
  @HttpCode(204)
  async heartbeat(@Caller() caller: Caller | undefined, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.commands.execute(new RecordHeartbeatCommand(ownUserId(caller), 'rest', restCommandContext(request, caller)));
  }

  @ApiOperation({ summary: 'The presence of up to 100 users, as the caller may see it' })
  @ApiOkResponse({ type: PresenceUsersResponse })
  @Get('users')
  @Header('Cache-Control', 'no-store')
  async users(@Query() { ids }: PresenceUsersQuery, @Caller() caller: Caller | undefined): Promise<PresenceUsersResponse> {
    const snapshots = await this.readModel.snapshots([...new Set(ids)]);
    const users: Record<string, PresenceResponse> = {};
    for (const [userId, snapshot] of snapshots) users[userId] = presenceSeenBy(snapshot, userId, caller?.userId);
    return { users };
  }

  @ApiOperation({ summary: 'The presence of everyone the caller follows, as they may see it: in the studio first' })
  @ApiOkResponse({ type: FollowingResponse })
  @Get('following')
  @Header('Cache-Control', 'no-store')
  async following(@Caller() caller: Caller | undefined): Promise<FollowingResponse> {
    const viewerId = ownUserId(caller);
    const snapshots = await this.readModel.snapshots(await this.readModel.followeeIds(viewerId));
    const users = [...snapshots].map(([userId, snapshot]) => ({ userId, ...presenceSeenBy(snapshot, userId, viewerId) }));
    users.sort((a, b) => FOLLOWING_ORDER[a.status] - FOLLOWING_ORDER[b.status] || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    return { users };
  }
}
