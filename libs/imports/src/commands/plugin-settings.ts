import { Inject, Injectable } from '@nestjs/common';
import { foldEvents, HERALD_CONFIG, type HeraldConfig, SECRET_BOX, type SecretBox, streams } from '@herald/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import { PLUGIN_CONFIG_SUBJECT } from '../domain/events';
import type { AdminConfigField, DataImportPlugin, PluginConfig, SetupInfo } from '../domain/plugin';
import { pluginConfigDecider, type PluginConfigState } from '../domain/plugin-config.decider';

/** Where a setting's value comes from: the operator over the API (sealed in the log), the environment, or nowhere. */
export type SettingSource = 'api' | 'environment' | null;

export interface AdminFieldView extends AdminConfigField {
  set: boolean;
  source: SettingSource;
}

/** A plugin as the operator sees it: never a setting's value, only whether it is set. */
export interface AdminPluginView {
  id: string;
  name: string;
  description: string;
  icon: string;
  configured: boolean;
  fields: AdminFieldView[];
  setupInfo: SetupInfo;
}

/**
 * Each plugin's settings as they stand now: read from the log (another instance may have changed
 * them a moment ago), opened, and completed from the environment.
 */
@Injectable()
export class PluginSettings {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(HERALD_CONFIG) private readonly herald: HeraldConfig,
  ) {}

  callbackUrl(pluginId: string): string {
    return `${this.herald.publicUrl}/api/v1/plugins/${pluginId}/callback`;
  }

  async config(plugin: DataImportPlugin): Promise<PluginConfig> {
    const { values } = await this.resolve(plugin);
    return { values, callbackUrl: this.callbackUrl(plugin.id) };
  }

  async adminView(plugin: DataImportPlugin): Promise<AdminPluginView> {
    const { values, sources } = await this.resolve(plugin);
    const config: PluginConfig = { values, callbackUrl: this.callbackUrl(plugin.id) };
    return {
      id: plugin.id,
      name: plugin.name,
      description: plugin.description,
      icon: plugin.icon,
      configured: plugin.isConfigured(config),
      fields: plugin.getAdminConfigFields().map((field) => ({ ...field, set: sources[field.id] !== null, source: sources[field.id] })),
      setupInfo: plugin.getSetupInfo(config),
    };
  }

  private async resolve(plugin: DataImportPlugin): Promise<{ values: Record<string, string>; sources: Record<string, SettingSource> }> {
    const stored = (await this.stored())[plugin.id] ?? {};
    const values: Record<string, string> = {};
    const sources: Record<string, SettingSource> = {};
    for (const field of plugin.getAdminConfigFields()) {
      const sealed = stored[field.id];
      const fromEnvironment = this.herald.imports.pluginCredentials[field.env];
      if (sealed !== undefined) {
        values[field.id] = await this.secrets.open(PLUGIN_CONFIG_SUBJECT, sealed);
        sources[field.id] = 'api';
      } else if (fromEnvironment !== undefined) {
        values[field.id] = fromEnvironment;
        sources[field.id] = 'environment';
      } else {
        sources[field.id] = null;
      }
    }
    return { values, sources };
  }

  private async stored(): Promise<PluginConfigState> {
    const events = await this.store.readStream(streams.globalConfig());
    return foldEvents(pluginConfigDecider, events);
  }
}
