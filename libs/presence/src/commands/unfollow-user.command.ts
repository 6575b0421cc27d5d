import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, streams } from '@herald/core';
import { followsDecider } from '../domain/follows.decider';

/** The caller stops following someone. Unfollowing someone not followed is a no-op. */
export class UnfollowUserCommand extends Command<void> {
  constructor(
    readonly followerId: string,
    readonly followeeId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(UnfollowUserCommand)
export class UnfollowUserHandler implements ICommandHandler<UnfollowUserCommand, void> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ followerId, followeeId, context }: UnfollowUserCommand): Promise<void> {
    await this.commands.run({
      streamId: streams.user(followerId),
      decider: followsDecider,
      command: { type: 'UnfollowUser', followerId, followeeId },
      context: { ...context, userId: followerId },
    });
  }
}
