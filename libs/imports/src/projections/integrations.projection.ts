import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type Projection, RegisterProjection } from '@herald/projections';
import type { ReadStoreSession } from '@herald/readstore';
import type { IntegrationEvent } from '../domain/events';
import {
  INTEGRATION_INDEX_COLLECTION,
  type IntegrationDocument,
  type IntegrationIndexDocument,
  INTEGRATIONS_COLLECTION,
} from './imports.read-model';
import { integrationOfStream } from './integration-stream';

const TYPES: ReadonlyArray<IntegrationEvent['type']> = [
  'IntegrationConnected',
  'IntegrationReconnectNeeded',
  'IntegrationDisconnected',
  'IntegrationEnabled',
  'IntegrationDisabled',
  'DailyMetricsImported',
];

/** Each user's integrations (connected, enabled, reconnect needed), and the global index the scheduler walks. */
@RegisterProjection()
@Injectable()
export class IntegrationsProjection implements Projection {
  readonly name = 'imports-integrations';
  readonly filter = { eventTypes: [...TYPES] };
  readonly collections = [INTEGRATIONS_COLLECTION, INTEGRATION_INDEX_COLLECTION];

  async apply(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
    const event = recorded as unknown as IntegrationEvent;
    const { userId, pluginId } = integrationOfStream(recorded.streamId);
    const at = recorded.metadata.occurredAt;
    const integrations = session.forUser(userId).collection<IntegrationDocument>(INTEGRATIONS_COLLECTION);
    const index = session.global().collection<IntegrationIndexDocument>(INTEGRATION_INDEX_COLLECTION);
    const indexId = `${userId}_${pluginId}`;
    if (event.type === 'IntegrationConnected') {
      const previous = await integrations.get(pluginId);
      await integrations.upsert({
        id: pluginId,
        pluginId,
        connected: true,
        enabled: true,
        reconnectReason: null,
        connectedAt: at,
        disconnectedAt: null,
        scopes: [...event.data.scopes],
        timeZone: event.data.timeZone,
        lastImportAt: previous?.lastImportAt ?? null,
      });
      await index.upsert({ id: indexId, userId, pluginId, schedulable: true });
      return;
    }
    const current = await integrations.get(pluginId);
    if (!current) return;
    switch (event.type) {
      case 'IntegrationReconnectNeeded':
        await integrations.patch(pluginId, { reconnectReason: event.data.reason });
        await index.patch(indexId, { schedulable: false });
        return;
      case 'IntegrationDisconnected':
        await integrations.patch(pluginId, { connected: false, reconnectReason: null, disconnectedAt: at });
        await index.delete(indexId);
        return;
      case 'IntegrationEnabled':
      case 'IntegrationDisabled': {
        const enabled = event.type === 'IntegrationEnabled';
        await integrations.patch(pluginId, { enabled });
        await index.patch(indexId, { schedulable: enabled && current.connected && current.reconnectReason === null });
        return;
      }
      case 'DailyMetricsImported':
        await integrations.patch(pluginId, { lastImportAt: at });
        return;
      default:
        return;
    }
  }
}
