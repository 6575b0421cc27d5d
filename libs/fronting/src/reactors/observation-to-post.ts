import type { RecordedEvent } from '@herald/core';
import type { FrontersObserved, FrontingEvent } from '../domain/events';
import { wantedPluralKitIds } from '../domain/fronter-set';

/** The observation the switch poster should bring PluralKit in line with. */
export interface ObservationToPost {
  eventId: string;
  position: number;
  correlationId: string;
  pluralKitIds: string[];
  /** Outages already recorded for it: each retry is a distinct command. */
  failedAttempts: number;
}

const OUTCOMES = new Set<FrontingEvent['type']>(['SwitchPosted', 'PluralKitAlreadyInSync', 'SwitchPostFailed']);

/**
 * The newest `FrontersObserved` of a system stream that no outcome answers yet, or null. An
 * outcome answers every observation up to its `observedPosition` (older ones were superseded),
 * except an outage (`upstream_unavailable`), which stays to be retried. Delivery is at least once;
 * this is what keeps a redelivered observation from being posted twice.
 */
export function observationToPost(recorded: readonly RecordedEvent[]): ObservationToPost | null {
  let latest: RecordedEvent | null = null;
  for (const event of recorded) if (event.type === 'FrontersObserved') latest = event;
  if (!latest) return null;
  let failedAttempts = 0;
  for (const event of recorded) {
    if (!OUTCOMES.has(event.type as FrontingEvent['type'])) continue;
    const data = event.data as { observedPosition?: number; reason?: string };
    if (data.observedPosition === undefined || data.observedPosition < latest.position) continue;
    if (event.type === 'SwitchPostFailed' && data.reason === 'upstream_unavailable') failedAttempts += 1;
    else return null;
  }
  return {
    eventId: latest.id,
    position: latest.position,
    correlationId: latest.metadata.correlationId,
    pluralKitIds: wantedPluralKitIds((latest as unknown as FrontersObserved).data.fronters),
    failedAttempts,
  };
}
