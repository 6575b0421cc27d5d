import { Body, Controller, Get, Header, Patch, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput } from '@herald/core';
import { type AuthenticatedRequest, Caller, restCommandContext } from '@herald/identity';
import { ChangePresencePrivacyCommand } from '../commands/change-privacy.command';
import { PresenceStates } from '../commands/presence-states';
import { ownUserId } from '@herald/identity';
import { ChangePrivacyBody } from './presence-requests.dto';
import { PrivacyResponse } from './presence.responses';

@ApiTags('presence')
@ApiBearerAuth()
@Controller('api/v1/me')
export class PrivacyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly states: PresenceStates,
  ) {}

  @ApiOperation({ summary: "The caller's presence privacy settings" })
  @ApiOkResponse({ type: PrivacyResponse })
  @Get('privacy')
  @Header('Cache-Control', 'no-store')
  async privacy(@Caller() caller: Caller | undefined): Promise<PrivacyResponse> {
    return (await this.states.current(ownUserId(caller))).privacy;
  }

  @ApiOperation({
    summary: 'Changes the given privacy settings; the others stay',
    description: 'Hiding the activity status sends followers one last offline, then nothing until it is shown again.',
  })
  @ApiOkResponse({ type: PrivacyResponse })
  @Patch('privacy')
  @Header('Cache-Control', 'no-store')
  change(@Body() body: ChangePrivacyBody, @Caller() caller: Caller | undefined, @Req() request: AuthenticatedRequest): Promise<PrivacyResponse> {
    const userId = ownUserId(caller);
    const { showActivityStatus, showLastActive } = body;
    if (showActivityStatus === undefined && showLastActive === undefined) {
      throw new InvalidInput('Invalid field: body.', { errors: [{ field: 'body', messages: ['body must set showActivityStatus, showLastActive or both'] }] });
    }
    return this.commands.execute(new ChangePresencePrivacyCommand(userId, { showActivityStatus, showLastActive }, restCommandContext(request, caller)));
  }
}
