import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '@herald/core';
import { GuildSyncRuns, type SyncRunProgress } from '../reactors/guild-sync-runs';

/** Syncs a guild (or one member of it) now; joins the run already going, if any. */
export class SyncGuildCommand extends Command<SyncRunProgress> {
  constructor(
    readonly guildId: string,
    readonly options: { userId?: string; repairRoles: boolean },
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SyncGuildCommand)
export class SyncGuildHandler implements ICommandHandler<SyncGuildCommand, SyncRunProgress> {
  constructor(private readonly runs: GuildSyncRuns) {}

  execute({ guildId, options, context }: SyncGuildCommand): Promise<SyncRunProgress> {
    return this.runs.start({ guildId, trigger: 'manual', userId: options.userId, repairRoles: options.repairRoles, context });
  }
}
