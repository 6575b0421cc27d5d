import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, streams } from '@herald/core';
import { followsDecider } from '../domain/follows.decider';

/** The caller follows someone: their presence changes reach the caller's sockets. Following twice is a no-op. */
export class FollowUserCommand extends Command<void> {
  constructor(
    readonly followerId: string,
    readonly followeeId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(FollowUserCommand)
export class FollowUserHandler implements ICommandHandler<FollowUserCommand, void> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ followerId, followeeId, context }: FollowUserCommand): Promise<void> {
    await this.commands.run({
      streamId: streams.user(followerId),
      decider: followsDecider,
      command: { type: 'FollowUser', followerId, followeeId },
      context: { ...context, userId: followerId },
    });
  }
}
