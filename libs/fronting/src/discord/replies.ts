import { discordTime, fitMessage } from '@herald/discord';
import { TOKEN_REJECTED_MESSAGES, type FrontingSettingsView, type UpdaterStatus, type UpdaterView } from '../domain/system.decider';
import { PLURALKIT_MEMBERS_NOTE } from '../http/fronting.controller';

// The texts of the /fronting replies: pure functions of the masked views. A token shows as set or
// not and its last four characters, never more.

const STATUS_MEANINGS: Record<UpdaterStatus, string> = {
  disabled: 'switches are off',
  starting: 'reading your SimplyPlural fronters for the first time',
  running: 'PluralKit follows your SimplyPlural fronters',
  error: 'the last attempt did not go through: see the last error',
};

function tokenText(set: boolean, lastFour: string | null): string {
  return set && lastFour ? `set, ends with \`${lastFour}\`` : 'not set';
}

function settingsLines(view: FrontingSettingsView): string[] {
  return [
    `SimplyPlural token: ${tokenText(view.simplyPluralTokenSet, view.simplyPluralTokenLastFour)}`,
    `PluralKit token: ${tokenText(view.pluralKitTokenSet, view.pluralKitTokenLastFour)}`,
    view.enableToPluralKit ? 'Switches to PluralKit: on' : 'Switches to PluralKit: off',
  ];
}

/** What to do next, when the settings leave something undone. */
function nextStep(view: FrontingSettingsView): string | null {
  if (!view.simplyPluralTokenSet || !view.pluralKitTokenSet) return 'Both tokens are needed: add what is missing with /fronting setup.';
  return view.enableToPluralKit ? null : 'Turn switches on with /fronting enable.';
}

/** The answer to the setup modal: which tokens it saved, and the settings as they now stand. */
export function setupSavedText(view: FrontingSettingsView, saved: { simplyPluralToken: boolean; pluralKitToken: boolean }): string {
  const names = [saved.simplyPluralToken ? 'SimplyPlural' : null, saved.pluralKitToken ? 'PluralKit' : null].filter((name) => name !== null);
  const head =
    names.length === 0
      ? 'Both fields were empty: nothing changed.'
      : `Saved your ${names.join(' and ')} ${names.length === 1 ? 'token' : 'tokens'}, encrypted; Herald never shows ${names.length === 1 ? 'it' : 'them'} again.`;
  const step = nextStep(view);
  return fitMessage([head, ...settingsLines(view), ...(step ? [step] : [])].join('\n'));
}

export function enabledText(): string {
  return [
    'Switches to PluralKit are on: when your SimplyPlural fronters change, Herald posts a PluralKit switch.',
    PLURALKIT_MEMBERS_NOTE,
    'See how it goes with /fronting status.',
  ].join('\n');
}

export function disabledText(): string {
  return 'Switches to PluralKit are off. Your tokens stay saved, encrypted; /fronting enable turns switches back on.';
}

/** /fronting status: the updater's state, its last error and switch, the settings, and what Herald does with members. */
export function statusText(updater: UpdaterView, settings: FrontingSettingsView): string {
  const lines = [
    `PluralKit updater: **${updater.status}** (${STATUS_MEANINGS[updater.status]})`,
    `Last error: ${updater.lastOperationError ?? 'none'}`,
    `Last switch: ${updater.lastSwitchAt ? discordTime(updater.lastSwitchAt, 'f') : 'none yet'}`,
  ];
  if (tokenRejected(updater.lastOperationError)) lines.push('Give Herald a working token with /fronting setup.');
  lines.push(...settingsLines(settings));
  const step = nextStep(settings);
  if (step) lines.push(step);
  lines.push(PLURALKIT_MEMBERS_NOTE);
  return fitMessage(lines.join('\n'));
}

function tokenRejected(error: string | null): boolean {
  return error !== null && Object.values(TOKEN_REJECTED_MESSAGES).some((message) => error.includes(message));
}
