import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, CommandRunner, type FieldError, InvalidInput, SECRET_BOX, type SealedSecret, type SecretBox, streams } from '@herald/core';
import { PLUGIN_CONFIG_SUBJECT } from '../domain/events';
import type { AdminConfigField } from '../domain/plugin';
import { pluginConfigDecider } from '../domain/plugin-config.decider';
import { PluginRegistry } from '../plugins/plugin-registry';
import { type AdminPluginView, PluginSettings } from './plugin-settings';

/** A setting's value: printable, no spaces around it (a paste with a trailing newline is refused, not stored). */
const SETTING_VALUE = /^[\x21-\x7E](?:[\x20-\x7E]{0,1022}[\x21-\x7E])?$/;
const SETTING_RULE = 'must be 1-1024 printable ASCII characters without leading or trailing spaces, or null to remove it';

/** Sets (a string) or removes (null) an operator's settings of one plugin; answers with the plugin's admin view. */
export class ConfigurePluginCommand extends Command<AdminPluginView> {
  constructor(
    readonly pluginId: string,
    readonly values: Record<string, unknown>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ConfigurePluginCommand)
export class ConfigurePluginHandler implements ICommandHandler<ConfigurePluginCommand, AdminPluginView> {
  constructor(
    private readonly registry: PluginRegistry,
    private readonly settings: PluginSettings,
    private readonly commands: CommandRunner,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async execute({ pluginId, values, context }: ConfigurePluginCommand): Promise<AdminPluginView> {
    const plugin = this.registry.get(pluginId);
    const change = settingsChange(plugin.getAdminConfigFields(), values);
    const set: Record<string, SealedSecret> = {};
    for (const [field, value] of Object.entries(change.set)) set[field] = await this.secrets.seal(PLUGIN_CONFIG_SUBJECT, value);
    await this.commands.run({
      streamId: streams.globalConfig(),
      decider: pluginConfigDecider,
      command: { pluginId, set, clear: change.clear },
      context,
    });
    return this.settings.adminView(plugin);
  }
}

/** The settings to set and to remove, or `InvalidInput` naming each bad field (never repeating its value). */
export function settingsChange(fields: AdminConfigField[], values: Record<string, unknown>): { set: Record<string, string>; clear: string[] } {
  const known = new Set(fields.map((field) => field.id));
  const errors: FieldError[] = [];
  const set: Record<string, string> = {};
  const clear: string[] = [];
  for (const [field, value] of Object.entries(values)) {
    // An unknown key is not echoed: it may be a secret pasted in the wrong place.
    if (!known.has(field)) errors.push({ field: 'values', messages: [`values may name only this plugin's settings: ${[...known].join(', ')}`] });
    else if (value === null) clear.push(field);
    else if (typeof value === 'string' && SETTING_VALUE.test(value)) set[field] = value;
    else errors.push({ field: `values.${field}`, messages: [`values.${field} ${SETTING_RULE}`] });
  }
  if (Object.keys(values).length === 0) errors.push({ field: 'values', messages: ['values must name at least one setting'] });
  if (errors.length > 0) {
    throw new InvalidInput(`Invalid ${errors.length === 1 ? 'field' : 'fields'}: ${errors.map((e) => e.field).join(', ')}.`, {
      code: 'PLUGIN.CONFIG_INVALID',
      errors,
    });
  }
  return { set, clear };
}
