import { SetMetadata } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import type { EventFilter } from '@herald/eventstore';
import type { ReadStoreSession } from '@herald/readstore';

/**
 * A read model built from the log. `apply` must be deterministic: a rebuild replays the same events
 * and must produce the same documents (use event data and `metadata.occurredAt`, never the clock).
 * Events are applied in batches through a unit of work (`BatchSession`): documents read are shared
 * within the batch, so write a new object instead of mutating one you read.
 */
export interface Projection {
  /** Stable name: the checkpoint key and the `herald-cli projections rebuild <name>` argument. */
  readonly name: string;
  readonly filter: EventFilter;
  /** Collections this projection owns in every scope it writes to; a rebuild drops them. */
  readonly collections: string[];
  apply(event: RecordedEvent, session: ReadStoreSession): Promise<void>;
}

export const PROJECTION_METADATA = 'herald:projection';

/** Marks a Nest provider implementing `Projection` so the projection runner picks it up. */
export const RegisterProjection = (): ClassDecorator => SetMetadata(PROJECTION_METADATA, true);
