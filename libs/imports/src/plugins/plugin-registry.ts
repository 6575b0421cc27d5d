import { Inject, Injectable } from '@nestjs/common';
import { NotFound } from '@herald/core';
import { assertValidPlugin, type DataImportPlugin } from '../domain/plugin';

/** Nest injection token for the instances of `REGISTERED_PLUGINS`. */
export const IMPORT_PLUGINS = Symbol('IMPORT_PLUGINS');

/** The registered plugins, looked up by id. */
@Injectable()
export class PluginRegistry {
  private readonly byId = new Map<string, DataImportPlugin>();

  constructor(@Inject(IMPORT_PLUGINS) plugins: DataImportPlugin[]) {
    for (const plugin of plugins) {
      assertValidPlugin(plugin);
      if (this.byId.has(plugin.id)) throw new Error(`two data-import plugins have the id ${plugin.id}`);
      this.byId.set(plugin.id, plugin);
    }
  }

  all(): DataImportPlugin[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** Throws `NotFound` (404) for an id no plugin has. */
  get(pluginId: string): DataImportPlugin {
    const plugin = this.byId.get(pluginId);
    if (!plugin) {
      throw new NotFound(`No data-import plugin is called ${pluginId}; there are: ${this.ids().join(', ')}.`, { code: 'PLUGIN.UNKNOWN' });
    }
    return plugin;
  }
}
