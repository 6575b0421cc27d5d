import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CommandContext, NotFound } from '@herald/core';
import { RequireScopes } from '@herald/identity';
import { SyncGuildCommand } from '../commands/sync-guild.command';
import { WinsReadModel } from '../projections/wins.read-model';
import { GuildSyncRuns } from '../reactors/guild-sync-runs';
import { registeredGuildSettings } from './registered-guild';
import { RestContext } from './rest-context.decorator';
import { GuildParams, SyncRunParams } from './wins-params.dto';
import { StartSyncBody } from './wins-requests.dto';
import { SyncRunResponse, SyncStartedResponse } from './wins.responses';

/** Manual sync runs: started here, followed by polling the run. */
@ApiTags('wins')
@ApiBearerAuth()
@RequireScopes('guild:{guildId}:admin')
@Controller('api/v1/guilds/:guildId/sync')
export class SyncController {
  constructor(
    private readonly commands: CommandBus,
    private readonly runs: GuildSyncRuns,
    private readonly readModel: WinsReadModel,
  ) {}

  @ApiOperation({ summary: 'Syncs the guild (or one linked member) now; joins the run already going, if any' })
  @ApiAcceptedResponse({ type: SyncStartedResponse })
  @Post()
  @HttpCode(202)
  async start(
    @Param() { guildId }: GuildParams,
    @Body() { userId, repairRoles = false }: StartSyncBody,
    @RestContext() context: CommandContext,
  ): Promise<SyncStartedResponse> {
    const run = await this.commands.execute(new SyncGuildCommand(guildId, { userId, repairRoles }, context));
    return { runId: run.runId };
  }

  @ApiOperation({ summary: "A sync run's state and counts" })
  @ApiOkResponse({ type: SyncRunResponse })
  @Get(':runId')
  async run(@Param() { guildId, runId }: SyncRunParams): Promise<SyncRunResponse> {
    await registeredGuildSettings(this.readModel, guildId);
    const run = await this.runs.status(guildId, runId);
    if (!run) throw new NotFound(`No sync run ${runId} in guild ${guildId}.`, { code: 'SYNC_RUN.NOT_FOUND' });
    const { state, checked, changed, failed, durationMs } = run;
    const failures = run.failures.map(({ userId, playerId, reason }) => ({ userId, playerId, reason }));
    return { runId, state, checked, changed, failed, durationMs, failures };
  }
}
