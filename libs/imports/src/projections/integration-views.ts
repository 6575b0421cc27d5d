import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@herald/core';
import { PluginSettings } from '../commands/plugin-settings';
import { type DataImportPlugin, type FieldType, metricKey } from '../domain/plugin';
import { PluginRegistry } from '../plugins/plugin-registry';
import { rateLimitedUntil } from '../reactors/integration-syncs';
import { type SyncProblem, type SyncStatusDocument, SyncStatusStore } from '../reactors/sync-status';
import { type IntegrationDocument, ImportsReadModel } from './imports.read-model';

/**
 * `not_connected`; `reconnect_needed` (the service refused Herald's tokens for good);
 * `disabled` (scheduled syncs paused); `rate_limited` (the service's budget is spent until
 * `retryAt`); `error` / `partial` (the last sync failed, or read only some fields); `ok`.
 */
export type IntegrationStatus = 'not_connected' | 'ok' | 'partial' | 'error' | 'rate_limited' | 'reconnect_needed' | 'disabled';

export interface FieldView {
  id: string;
  /** The metric key its values are stored under. */
  key: string;
  name: string;
  type: FieldType;
  unit: string | null;
  description: string;
}

/** A plugin as one user sees it. */
export interface IntegrationView {
  id: string;
  name: string;
  description: string;
  icon: string;
  /** Whether the operator configured the plugin, so it can be connected. */
  configured: boolean;
  connected: boolean;
  enabled: boolean;
  status: IntegrationStatus;
  /** The last sync that imported. */
  lastSync: string | null;
  lastAttempt: string | null;
  retryAt: string | null;
  problems: SyncProblem[];
  fields: FieldView[];
}

/** Each plugin with the caller's connection to it, from the read model and the sync status. */
@Injectable()
export class IntegrationViews {
  constructor(
    private readonly registry: PluginRegistry,
    private readonly settings: PluginSettings,
    private readonly readModel: ImportsReadModel,
    private readonly statuses: SyncStatusStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  all(userId: string): Promise<IntegrationView[]> {
    return Promise.all(this.registry.all().map((plugin) => this.view(userId, plugin)));
  }

  one(userId: string, pluginId: string): Promise<IntegrationView> {
    return this.view(userId, this.registry.get(pluginId));
  }

  private async view(userId: string, plugin: DataImportPlugin): Promise<IntegrationView> {
    const key = { userId, pluginId: plugin.id };
    const [integration, status, config] = await Promise.all([
      this.readModel.integration(userId, plugin.id),
      this.statuses.get(key),
      this.settings.config(plugin),
    ]);
    const connected = integration?.connected === true;
    return {
      id: plugin.id,
      name: plugin.name,
      description: plugin.description,
      icon: plugin.icon,
      configured: plugin.isConfigured(config),
      connected,
      enabled: connected && integration!.enabled,
      status: integrationStatus(integration, status, this.clock.now()),
      lastSync: connected ? status.lastSyncAt : null,
      lastAttempt: connected ? status.lastAttemptAt : null,
      retryAt: connected ? rateLimitedUntil(status, this.clock.now()) : null,
      problems: connected ? status.problems : [],
      fields: plugin.getAvailableFields().map((field) => ({
        id: field.id,
        key: metricKey(plugin.id, field.id),
        name: field.name,
        type: field.type,
        unit: field.unit ?? null,
        description: field.description,
      })),
    };
  }
}

export function integrationStatus(integration: IntegrationDocument | null, status: SyncStatusDocument, now: Date): IntegrationStatus {
  if (integration === null || !integration.connected) return 'not_connected';
  if (integration.reconnectReason !== null) return 'reconnect_needed';
  if (!integration.enabled) return 'disabled';
  if (rateLimitedUntil(status, now) !== null) return 'rate_limited';
  if (status.outcome === 'error' || status.outcome === 'partial') return status.outcome;
  return 'ok';
}
