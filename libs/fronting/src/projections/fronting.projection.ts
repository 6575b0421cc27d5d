import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type Projection, RegisterProjection } from '@herald/projections';
import type { ReadStoreSession } from '@herald/readstore';
import { FRONTING_EVENT_TYPES, type FrontingEvent } from '../domain/events';
import { initialSystemState, systemDecider, type SystemState } from '../domain/system.decider';
import { FRONTING_COLLECTION, type FrontingDocument, maskSystemState, SYSTEM_DOCUMENT_ID } from './fronting.read-model';

const SYSTEM_STREAM_PREFIX = 'system-';

/**
 * Each user's fronting settings and PluralKit updater status, in the user's scope: the decider's
 * own fold of the system stream, kept with the tokens masked, so the views read exactly what the
 * commands decide on.
 */
@RegisterProjection()
@Injectable()
export class FrontingProjection implements Projection {
  readonly name = 'fronting';
  readonly filter = { streamPrefixes: [SYSTEM_STREAM_PREFIX], eventTypes: [...FRONTING_EVENT_TYPES] };
  readonly collections = [FRONTING_COLLECTION];

  async apply(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
    const userId = recorded.streamId.slice(SYSTEM_STREAM_PREFIX.length);
    const documents = session.forUser(userId).collection<FrontingDocument>(FRONTING_COLLECTION);
    const current = (await documents.get(SYSTEM_DOCUMENT_ID))?.state ?? maskSystemState(initialSystemState());
    // The fold reads tokens only from the event that sets them, so a masked state folds like the full one.
    const next = systemDecider.evolve(current as unknown as SystemState, recorded as unknown as FrontingEvent);
    await documents.upsert({ id: SYSTEM_DOCUMENT_ID, state: maskSystemState(next) });
  }
}
