import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, InvalidInput, NotFound, streams } from '@herald/core';
import { EVENT_STORE, type EventStore, readAllPages } from '@herald/eventstore';
import { ProjectionRunner } from '@herald/projections';
import { READ_STORE, type ReadStore } from '@herald/readstore';
import { guildRemovalDecider } from '../domain/guild-removal.decider';
import { GuildSyncRuns } from '../reactors/guild-sync-runs';
import { SyncScheduler } from '../reactors/sync-scheduler';
import { WinsState } from './wins-state';

/** Removes a guild and all its data: its streams are deleted and its read models dropped. */
export class RemoveGuildCommand extends Command<void> {
  constructor(
    readonly guildId: string,
    readonly confirm: boolean,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RemoveGuildCommand)
export class RemoveGuildHandler implements ICommandHandler<RemoveGuildCommand, void> {
  constructor(
    private readonly state: WinsState,
    private readonly runs: GuildSyncRuns,
    private readonly scheduler: SyncScheduler,
    private readonly commands: CommandRunner,
    private readonly projections: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ guildId, confirm, context }: RemoveGuildCommand): Promise<void> {
    if (confirm !== true) {
      throw new InvalidInput('Removing a guild deletes all its data; confirm it.', {
        errors: [{ field: 'confirm', messages: ['confirm must be true to remove the guild and all its data'] }],
      });
    }
    const guild = await this.state.guild(guildId);
    if (!guild.registered) throw new NotFound(`Guild ${guildId} is not registered with Herald.`, { code: 'GUILD.NOT_REGISTERED' });
    this.scheduler.cancel(guildId);
    // A run still appending would write member events after the deletion.
    await this.runs.whenIdle(guildId, { cancelFollowUps: true });

    await this.commands.run({
      streamId: streams.globalConfig(),
      decider: guildRemovalDecider,
      command: { type: 'RecordGuildRemoval', guildId, actorId: context.actorId ?? null },
      context: { ...context, guildId },
    });
    for (const streamId of await this.memberStreams(guildId)) await this.store.deleteStream(streamId);
    await this.store.deleteStream(streams.guild(guildId));
    await this.projections.waitUntilCaughtUp().catch(() => undefined);
    await this.readStore.dropScope({ kind: 'guild', id: guildId });
  }

  private async memberStreams(guildId: string): Promise<string[]> {
    const prefix = streams.guildMember(guildId, '');
    const found = new Set<string>();
    for await (const page of readAllPages(this.store, { filter: { streamPrefixes: [prefix] } })) {
      for (const event of page) found.add(event.streamId);
    }
    return [...found];
  }
}
