import { Body, Controller, Get, Header, Patch, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInput } from '@herald/core';
import { type AuthenticatedRequest, Caller, ownUserId, restCommandContext } from '@herald/identity';
import { ChangeFrontingSettingsCommand } from '../commands/change-fronting-settings.command';
import { FrontingReadModel } from '../projections/fronting.read-model';
import { ChangeFrontingSettingsBody } from './fronting-requests.dto';
import { FrontingSettingsResponse, UpdatersResponse } from './fronting.responses';

/** Said wherever a user sets the updater up: what Herald does and does not do with PluralKit members. */
export const PLURALKIT_MEMBERS_NOTE =
  'PluralKit ids are read from the SimplyPlural members (their pkId field); members are not yet created in PluralKit automatically.';

@ApiTags('fronting')
@ApiBearerAuth()
@Controller('api/v1/me')
export class FrontingController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: FrontingReadModel,
  ) {}

  @ApiOperation({
    summary: "The caller's fronting settings: whether each token is set (and its last four characters), and whether switches go to PluralKit",
    description: PLURALKIT_MEMBERS_NOTE,
  })
  @ApiOkResponse({ type: FrontingSettingsResponse })
  @Get('fronting')
  @Header('Cache-Control', 'no-store')
  settings(@Caller() caller: Caller | undefined): Promise<FrontingSettingsResponse> {
    return this.readModel.settings(ownUserId(caller));
  }

  @ApiOperation({
    summary: 'Sets or removes the SimplyPlural and PluralKit tokens, and turns the PluralKit updater on or off',
    description: `Enabling needs both tokens. ${PLURALKIT_MEMBERS_NOTE}`,
  })
  @ApiOkResponse({ type: FrontingSettingsResponse })
  @Patch('fronting')
  @Header('Cache-Control', 'no-store')
  change(
    @Body() body: ChangeFrontingSettingsBody,
    @Caller() caller: Caller | undefined,
    @Req() request: AuthenticatedRequest,
  ): Promise<FrontingSettingsResponse> {
    const userId = ownUserId(caller);
    const { simplyPluralToken, pluralKitToken, enableToPluralKit } = body;
    if (simplyPluralToken === undefined && pluralKitToken === undefined && enableToPluralKit === undefined) {
      throw new InvalidInput('Invalid field: body.', {
        errors: [{ field: 'body', messages: ['body must set simplyPluralToken, pluralKitToken or enableToPluralKit'] }],
      });
    }
    return this.commands.execute(
      new ChangeFrontingSettingsCommand(userId, { simplyPluralToken, pluralKitToken, enableToPluralKit }, restCommandContext(request, caller)),
    );
  }

  @ApiOperation({
    summary: "The state of the caller's updaters: PluralKit's status, last error and last switch",
    description: PLURALKIT_MEMBERS_NOTE,
  })
  @ApiOkResponse({ type: UpdatersResponse })
  @Get('updaters')
  @Header('Cache-Control', 'no-store')
  updaters(@Caller() caller: Caller | undefined): Promise<UpdatersResponse> {
    return this.readModel.updaters(ownUserId(caller));
  }
}
