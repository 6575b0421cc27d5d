import { Inject, Injectable } from '@nestjs/common';
import { type Collection, type Document, type Filter, READ_STORE, type ReadStore, type Sort } from '@herald/readstore';
import type { ReconnectReason } from '../domain/events';
import type { FieldValue } from '../domain/plugin';

/** User scope: one document per plugin the user ever connected, id = plugin id. */
export const INTEGRATIONS_COLLECTION = 'imports_integrations';
/** Global scope: every connected integration, id = `<userId>_<pluginId>` (what the scheduler walks). */
export const INTEGRATION_INDEX_COLLECTION = 'imports_integration_index';
/** User scope: one document per day and metric, id = `<date>|<metric>`. */
export const DAILY_METRIC_VALUES_COLLECTION = 'daily_metric_values';

export interface IntegrationDocument extends Document {
  pluginId: string;
  connected: boolean;
  enabled: boolean;
  /** Set while the service refuses Herald's tokens, until the user connects again. */
  reconnectReason: ReconnectReason | null;
  connectedAt: string | null;
  disconnectedAt: string | null;
  scopes: string[];
  timeZone: string | null;
  /** When values last changed through an import. */
  lastImportAt: string | null;
}

export interface IntegrationIndexDocument extends Document {
  userId: string;
  pluginId: string;
  /** Connected, enabled and not waiting for a reconnection. */
  schedulable: boolean;
}

export interface DailyMetricValueDocument extends Document {
  date: string;
  /** `{pluginId}.{fieldId}`. */
  metric: string;
  value: FieldValue;
  /** The plugin it came from. */
  source: string;
  /** When this value was first imported or last changed. */
  importedAt: string;
}

const PAGE = 1000;

/** Reads of the imports read models; a user's data only through that user's scope. */
@Injectable()
export class ImportsReadModel {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  integration(userId: string, pluginId: string): Promise<IntegrationDocument | null> {
    return this.store.forUser(userId).collection<IntegrationDocument>(INTEGRATIONS_COLLECTION).get(pluginId);
  }

  async *schedulableIntegrations(): AsyncGenerator<IntegrationIndexDocument> {
    yield* pages(this.store.global().collection<IntegrationIndexDocument>(INTEGRATION_INDEX_COLLECTION), { schedulable: true });
  }

  /** Values from `from` to `to` (inclusive), of `metrics` when given, by date then metric. */
  async metricValues(userId: string, from: string, to: string, metrics?: string[]): Promise<DailyMetricValueDocument[]> {
    const filter: Filter = { date: { $gte: from, $lte: to } };
    if (metrics !== undefined) filter.metric = { $in: metrics };
    const values: DailyMetricValueDocument[] = [];
    const collection = this.store.forUser(userId).collection<DailyMetricValueDocument>(DAILY_METRIC_VALUES_COLLECTION);
    for await (const value of pages(collection, filter, [['date', 1], ['metric', 1]])) values.push(value);
    return values;
  }
}

async function* pages<T extends Document>(
  collection: Collection<T>,
  filter: Filter,
  sort?: Sort,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await collection.find({ filter, sort, limit: PAGE, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}
