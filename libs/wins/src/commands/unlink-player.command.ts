import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, streams } from '@herald/core';
import { memberDecider } from '../domain/member.decider';
import { RoleReconciler } from '../reactors/role-reconciler';
import { WinsState } from './wins-state';

/** Unlinks a member's player and takes their threshold roles away. */
export class UnlinkPlayerCommand extends Command<void> {
  constructor(
    readonly guildId: string,
    readonly userId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(UnlinkPlayerCommand)
export class UnlinkPlayerHandler implements ICommandHandler<UnlinkPlayerCommand, void> {
  constructor(
    private readonly state: WinsState,
    private readonly roles: RoleReconciler,
    private readonly commands: CommandRunner,
  ) {}

  async execute({ guildId, userId, context }: UnlinkPlayerCommand): Promise<void> {
    const memberContext = { ...context, guildId, userId };
    const result = await this.commands.run({
      streamId: streams.guildMember(guildId, userId),
      decider: memberDecider,
      command: { type: 'UnlinkPlayer', guildId, userId },
      context: memberContext,
    });
    await this.roles.reconcile(await this.state.guild(guildId), userId, result.state, { repair: false, context: memberContext });
  }
}
