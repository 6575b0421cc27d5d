import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type Projection, RegisterProjection } from '@herald/projections';
import type { ReadStoreSession } from '@herald/readstore';
import type { DailyMetricsImported } from '../domain/events';
import { knownValueKey } from '../domain/metric-values';
import { DAILY_METRIC_VALUES_COLLECTION, type DailyMetricValueDocument } from './imports.read-model';
import { integrationOfStream } from './integration-stream';

/**
 * `daily_metric_values`: one document per user, day and metric, so importing a value again
 * replaces it with itself. Events hold only values that were there, so nothing is ever erased.
 */
@RegisterProjection()
@Injectable()
export class DailyMetricValuesProjection implements Projection {
  readonly name = 'imports-daily-metric-values';
  readonly filter = { eventTypes: ['DailyMetricsImported'] };
  readonly collections = [DAILY_METRIC_VALUES_COLLECTION];

  async apply(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
    const { data } = recorded as unknown as DailyMetricsImported;
    const { userId } = integrationOfStream(recorded.streamId);
    const values = session.forUser(userId).collection<DailyMetricValueDocument>(DAILY_METRIC_VALUES_COLLECTION);
    for (const day of data.days) {
      for (const [metric, value] of Object.entries(day.values)) {
        await values.upsert({
          id: knownValueKey(day.date, metric),
          date: day.date,
          metric,
          value,
          source: data.pluginId,
          importedAt: recorded.metadata.occurredAt,
        });
      }
    }
  }
}
