import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, InvalidInput, SECRET_BOX, type SecretBox, streams } from '@herald/core';
import type { StoredToken } from '../domain/events';
import { type FrontingSettingsView, frontingSettingsView, systemDecider } from '../domain/system.decider';
import { frontingTokenInputErrors, lastFour } from '../domain/tokens';

/** Absent: keep the setting; a token set to null: remove it. Tokens arrive in plain text and leave sealed. */
export interface FrontingSettingsChange {
  simplyPluralToken?: string | null;
  pluralKitToken?: string | null;
  enableToPluralKit?: boolean;
}

/** Changes a user's fronting settings; answers with the masked view (set or not, last four characters). */
export class ChangeFrontingSettingsCommand extends Command<FrontingSettingsView> {
  constructor(
    readonly userId: string,
    readonly change: FrontingSettingsChange,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ChangeFrontingSettingsCommand)
export class ChangeFrontingSettingsHandler implements ICommandHandler<ChangeFrontingSettingsCommand, FrontingSettingsView> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async execute({ userId, change, context }: ChangeFrontingSettingsCommand): Promise<FrontingSettingsView> {
    const errors = frontingTokenInputErrors(change);
    if (errors.length > 0) {
      throw new InvalidInput(`Invalid ${errors.length === 1 ? 'field' : 'fields'}: ${errors.map((e) => e.field).join(', ')}.`, {
        code: 'FRONTING.SETTINGS_INVALID',
        errors,
      });
    }
    const result = await this.commands.run({
      streamId: streams.system(userId),
      decider: systemDecider,
      command: {
        type: 'ChangeFrontingSettings',
        simplyPluralToken: await this.seal(userId, change.simplyPluralToken),
        pluralKitToken: await this.seal(userId, change.pluralKitToken),
        enableToPluralKit: change.enableToPluralKit,
      },
      context: { ...context, userId },
    });
    return frontingSettingsView(result.state);
  }

  /** Sealed with the user's own key, so forgetting the user shreds the token wherever the log is copied. */
  private async seal(userId: string, token: string | null | undefined): Promise<StoredToken | null | undefined> {
    if (token === undefined || token === null) return token;
    return { sealed: await this.secrets.seal(userId, token), lastFour: lastFour(token) };
  }
}
