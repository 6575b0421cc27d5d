import type { EventData, RecordedEvent } from '@herald/core';
import { testEvent } from '@herald/core/testing';
import type { ObservedFronter } from '../domain/events';
import { observationToPost } from './observation-to-post';

const ALICE: ObservedFronter = { id: 'a1', name: 'Alice', kind: 'member', pluralKitId: 'abcde' };
const BOB: ObservedFronter = { id: 'a2', name: 'Bob', kind: 'member', pluralKitId: 'fghijk' };
const BLURRY: ObservedFronter = { id: 'c1', name: 'Blurry', kind: 'custom_front', pluralKitId: null };

/** A system stream of these events, at positions 10, 20, 30... */
function stream(...events: Array<[type: string, data: EventData]>): RecordedEvent[] {
  return events.map(([type, data], index) => ({
    ...testEvent(type, data),
    streamId: 'system-1',
    revision: index,
    position: (index + 1) * 10,
  }));
}

const settings: [string, EventData] = ['FrontingSettingsChanged', { enableToPluralKit: true, changed: ['enableToPluralKit'] }];
const observed = (...fronters: ObservedFronter[]): [string, EventData] => ['FrontersObserved', { fronters }];
const posted = (observedPosition: number): [string, EventData] => [
  'SwitchPosted',
  { switchId: 's', pluralKitIds: [], timestamp: '2024-11-21T12:00:00.000000Z', observedPosition },
];
const failed = (reason: string, observedPosition: number): [string, EventData] => [
  'SwitchPostFailed',
  { reason, detail: 'd', pluralKitIds: [], observedPosition },
];

describe('which observation the switch poster answers', () => {
  it('is none before anything was observed', () => {
    expect(observationToPost(stream(settings))).toBeNull();
  });

  it('is the only observation, with the PluralKit ids of its linked fronters in SimplyPlural order', () => {
    const recorded = stream(settings, observed(ALICE, BLURRY, BOB));
    expect(observationToPost(recorded)).toEqual({
      eventId: recorded[1].id,
      position: 20,
      correlationId: recorded[1].metadata.correlationId,
      pluralKitIds: ['abcde', 'fghijk'],
      failedAttempts: 0,
    });
  });

  it('is the newest of several unanswered observations: the older ones are superseded', () => {
    expect(observationToPost(stream(settings, observed(ALICE), observed(BOB), observed(ALICE, BOB)))).toMatchObject({
      position: 40,
      pluralKitIds: ['abcde', 'fghijk'],
    });
  });

  it('is none once an outcome answers the newest observation, so a redelivery posts nothing', () => {
    expect(observationToPost(stream(settings, observed(ALICE), posted(20)))).toBeNull();
    expect(observationToPost(stream(settings, observed(ALICE), ['PluralKitAlreadyInSync', { pluralKitIds: [], observedPosition: 20 }]))).toBeNull();
    expect(observationToPost(stream(settings, observed(ALICE), failed('stale_member', 20)))).toBeNull();
  });

  it('is the observation made after the last outcome', () => {
    expect(observationToPost(stream(settings, observed(ALICE), posted(20), observed(BOB)))).toMatchObject({ position: 40 });
  });

  it('stays after an outage, counting the failed attempts so each retry is its own command', () => {
    const outages = [failed('upstream_unavailable', 20), failed('upstream_unavailable', 20)];
    expect(observationToPost(stream(settings, observed(ALICE), ...outages))).toMatchObject({ position: 20, failedAttempts: 2 });
    expect(observationToPost(stream(settings, observed(ALICE), ...outages, posted(20)))).toBeNull();
  });
});
