import { Inject, Injectable } from '@nestjs/common';
import { foldEvents, type RecordedEvent, streams } from '@herald/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import type { FrontingEvent } from '../domain/events';
import { systemDecider, type SystemState } from '../domain/system.decider';

export interface SystemStream {
  recorded: RecordedEvent[];
  state: SystemState;
}

/** A system's fronting state, folded from its stream: the updater decides on the log, not on a read model. */
@Injectable()
export class FrontingState {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async system(userId: string): Promise<SystemStream> {
    const recorded = await this.store.readStream(streams.system(userId));
    return { recorded, state: foldEvents(systemDecider, recorded as unknown as FrontingEvent[]) };
  }
}
