import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '@herald/core';
import type { PresencePrivacy } from '../domain/privacy';
import { PresenceStates } from './presence-states';

/** Changes the given privacy settings (absent ones stay); answers with all of them. */
export class ChangePresencePrivacyCommand extends Command<PresencePrivacy> {
  constructor(
    readonly userId: string,
    readonly change: Partial<PresencePrivacy>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ChangePresencePrivacyCommand)
export class ChangePresencePrivacyHandler implements ICommandHandler<ChangePresencePrivacyCommand, PresencePrivacy> {
  constructor(private readonly states: PresenceStates) {}

  async execute({ userId, change, context }: ChangePresencePrivacyCommand): Promise<PresencePrivacy> {
    const result = await this.states.run(userId, { type: 'ChangePresencePrivacy', ...change }, context);
    return result.state.privacy;
  }
}
