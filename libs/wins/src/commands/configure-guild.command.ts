import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, streams } from '@herald/core';
import { type GuildChange, guildDecider, type GuildState } from '../domain/guild.decider';
import { GuildSyncRuns } from '../reactors/guild-sync-runs';
import { SyncScheduler } from '../reactors/sync-scheduler';

/** Applies one admin change; returns the guild's state after it. */
export class ConfigureGuildCommand extends Command<GuildState> {
  constructor(
    readonly change: GuildChange,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ConfigureGuildCommand)
export class ConfigureGuildHandler implements ICommandHandler<ConfigureGuildCommand, GuildState> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly runs: GuildSyncRuns,
    private readonly scheduler: SyncScheduler,
  ) {}

  async execute({ change, context }: ConfigureGuildCommand): Promise<GuildState> {
    const result = await this.commands.run({
      streamId: streams.guild(change.guildId),
      decider: guildDecider,
      command: change,
      context: { ...context, guildId: change.guildId },
    });
    if (result.events.length === 0) return result.state;
    if (changesCountsOrRoles(change, result.state)) {
      // Members' roles follow the new rules now, not at the next scheduled run.
      await this.runs
        .start({ guildId: change.guildId, trigger: 'manual', fresh: false, afterChange: true, context })
        .catch(() => undefined);
    }
    if (change.type === 'ChangeGuildSettings' && change.syncIntervalHours !== undefined) {
      await this.scheduler.plan(change.guildId);
    }
    return result.state;
  }
}

function changesCountsOrRoles(change: GuildChange, state: GuildState): boolean {
  switch (change.type) {
    case 'ChangeGuildSettings':
      return change.countingMode !== undefined;
    case 'SetRoleThreshold':
    case 'RemoveRoleThreshold':
      return true;
    case 'AddClanTag':
    case 'RemoveClanTag':
      return state.countingMode === 'sessions_with_clan';
    case 'AddAdminRole':
    case 'RemoveAdminRole':
      return false;
  }
}
