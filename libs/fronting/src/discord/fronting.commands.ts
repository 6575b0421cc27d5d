import { Injectable, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { ChatInputCommandInteraction } from 'discord.js';
import {
  Context,
  createCommandGroupDecorator,
  Fields,
  Modal,
  type ModalContext,
  type SlashCommandContext,
  Subcommand,
} from 'necord';
import { EPHEMERAL, GUILDS_AND_DMS, InteractionErrorFilter, NO_PINGS, userCall } from '@herald/discord';
import { ChangeFrontingSettingsCommand, type FrontingSettingsChange } from '../commands/change-fronting-settings.command';
import { FrontingReadModel } from '../projections/fronting.read-model';
import { disabledText, enabledText, setupSavedText, statusText } from './replies';
import { FRONTING_SETUP_MODAL_ID, frontingSetupModal, SETUP_INPUTS, submittedToken } from './setup-modal';

/** `/fronting …`: each member's own settings, so usable in servers and in DMs with the bot. */
const FrontingCommandGroup = createCommandGroupDecorator({
  name: 'fronting',
  description: 'Mirror your SimplyPlural fronters as PluralKit switches',
  contexts: GUILDS_AND_DMS,
});

/** /fronting setup (a modal for the tokens), enable, disable, status. Every answer is ephemeral. */
@Injectable()
@FrontingCommandGroup()
@UseFilters(new InteractionErrorFilter())
export class FrontingCommands {
  constructor(
    private readonly bus: CommandBus,
    private readonly readModel: FrontingReadModel,
  ) {}

  @Subcommand({ name: 'setup', description: 'Give Herald your SimplyPlural and PluralKit tokens (in a private form)' })
  async onSetup(@Context() [interaction]: SlashCommandContext): Promise<void> {
    const { userId } = userCall(interaction);
    // A modal must be the first answer, so no deferral: the read is one local document.
    const current = await this.readModel.settings(userId);
    await interaction.showModal(frontingSetupModal(current));
  }

  @Modal(FRONTING_SETUP_MODAL_ID)
  async onSetupSubmitted(
    @Context() [interaction]: ModalContext,
    @Fields(SETUP_INPUTS.simplyPluralToken) simplyPluralInput: string,
    @Fields(SETUP_INPUTS.pluralKitToken) pluralKitInput: string,
  ): Promise<void> {
    const { userId, context } = userCall(interaction);
    const change: FrontingSettingsChange = {
      simplyPluralToken: submittedToken(simplyPluralInput),
      pluralKitToken: submittedToken(pluralKitInput),
    };
    await interaction.deferReply({ flags: EPHEMERAL });
    // The command checks the tokens' shapes, as for the REST API, before anything is sealed or appended.
    const view = await this.bus.execute(new ChangeFrontingSettingsCommand(userId, change, context));
    const saved = { simplyPluralToken: change.simplyPluralToken !== undefined, pluralKitToken: change.pluralKitToken !== undefined };
    await interaction.editReply({ content: setupSavedText(view, saved), allowedMentions: NO_PINGS });
  }

  @Subcommand({ name: 'enable', description: 'Post a PluralKit switch whenever your SimplyPlural fronters change' })
  async onEnable(@Context() [interaction]: SlashCommandContext): Promise<void> {
    await this.changeSwitching(interaction, true);
    await interaction.editReply({ content: enabledText(), allowedMentions: NO_PINGS });
  }

  @Subcommand({ name: 'disable', description: 'Stop posting PluralKit switches; your tokens stay saved' })
  async onDisable(@Context() [interaction]: SlashCommandContext): Promise<void> {
    await this.changeSwitching(interaction, false);
    await interaction.editReply({ content: disabledText(), allowedMentions: NO_PINGS });
  }

  @Subcommand({ name: 'status', description: "Show the PluralKit updater's status, last error and last switch" })
  async onStatus(@Context() [interaction]: SlashCommandContext): Promise<void> {
    const { userId } = userCall(interaction);
    const [settings, updaters] = await Promise.all([this.readModel.settings(userId), this.readModel.updaters(userId)]);
    await interaction.reply({ content: statusText(updaters.pluralkit, settings), flags: EPHEMERAL, allowedMentions: NO_PINGS });
  }

  /** Enabling without both tokens is refused by the command, with nothing appended. */
  private async changeSwitching(interaction: ChatInputCommandInteraction, enableToPluralKit: boolean): Promise<void> {
    const { userId, context } = userCall(interaction);
    await interaction.deferReply({ flags: EPHEMERAL });
    await this.bus.execute(new ChangeFrontingSettingsCommand(userId, { enableToPluralKit }, context));
  }
}
