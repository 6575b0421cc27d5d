import { LabelBuilder, ModalBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import type { FrontingSettingsView } from '../domain/system.decider';

/** The custom id Discord hands back when the setup modal is submitted. */
export const FRONTING_SETUP_MODAL_ID = 'fronting-setup';

/** The modal's text inputs, named like the REST fields they fill. */
export const SETUP_INPUTS = { simplyPluralToken: 'simplyPluralToken', pluralKitToken: 'pluralKitToken' } as const;

/**
 * The setup modal: one text input per token, both optional, never prefilled (Herald cannot and
 * would not send a token back). A modal rather than slash-command options, which clients log.
 */
export function frontingSetupModal(current: FrontingSettingsView): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(FRONTING_SETUP_MODAL_ID)
    .setTitle('Fronting: SimplyPlural to PluralKit')
    .addLabelComponents(
      tokenLabel(
        SETUP_INPUTS.simplyPluralToken,
        'SimplyPlural token',
        'SimplyPlural: Settings > Account > Tokens; read permission is enough.',
        current.simplyPluralTokenSet ? current.simplyPluralTokenLastFour : null,
      ),
      tokenLabel(
        SETUP_INPUTS.pluralKitToken,
        'PluralKit token',
        'Send pk;token to the PluralKit bot in a DM, or paste a pkapi: API key.',
        current.pluralKitTokenSet ? current.pluralKitTokenLastFour : null,
      ),
    );
}

function tokenLabel(inputId: string, label: string, description: string, currentLastFour: string | null): LabelBuilder {
  const placeholder = currentLastFour
    ? `Set (ends with ${currentLastFour}): leave empty to keep it`
    : 'Not set yet: paste the token here';
  return new LabelBuilder()
    .setLabel(label)
    .setDescription(description)
    .setTextInputComponent(
      new TextInputBuilder().setCustomId(inputId).setStyle(TextInputStyle.Short).setRequired(false).setPlaceholder(placeholder),
    );
}

/** A submitted input: surrounding white space (a paste's stray newline) dropped; empty means keep the token. */
export function submittedToken(value: string): string | undefined {
  const token = value.trim();
  return token === '' ? undefined : token;
}
