import type { Decider, DomainEvent, SealedSecret } from '@herald/core';
import type { PluginConfigured } from './events';

/** Operator settings of every plugin, sealed, by plugin id then field id (from the `config-global` stream). */
export type PluginConfigState = Readonly<Record<string, Readonly<Record<string, SealedSecret>>>>;

export interface ConfigurePlugin {
  pluginId: string;
  /** Settings to set, already sealed. */
  set: Record<string, SealedSecret>;
  /** Settings to remove (the environment's value applies again). */
  clear: string[];
}

/**
 * Plugin settings in `config-global`. The stream is shared with other global settings, so events
 * of other types pass through `evolve` untouched.
 */
export const pluginConfigDecider: Decider<ConfigurePlugin, DomainEvent, PluginConfigState> = {
  initialState: () => ({}),

  decide(command, state) {
    const current = state[command.pluginId] ?? {};
    const cleared = command.clear.filter((field) => field in current && !(field in command.set));
    const changed = [...Object.keys(command.set), ...cleared].sort();
    if (changed.length === 0) return [];
    const values: Record<string, SealedSecret> = { ...current, ...command.set };
    for (const field of cleared) delete values[field];
    const configured: PluginConfigured = { type: 'PluginConfigured', data: { pluginId: command.pluginId, values, changed } };
    return [configured];
  },

  evolve(state, event) {
    if (event.type !== 'PluginConfigured') return state;
    const { pluginId, values } = (event as PluginConfigured).data;
    return { ...state, [pluginId]: values };
  },
};
