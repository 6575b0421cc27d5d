import { Inject, Injectable } from '@nestjs/common';
import { type CommandContext, CommandRunner, type CommandResult, foldEvents, type RecordedEvent, streams } from '@herald/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import { HeraldMetrics } from '@herald/observability';
import type { PresenceEvent } from '../domain/events';
import { type PresenceCommand, presenceDecider, type PresenceState } from '../domain/presence.decider';

interface Cached {
  state: PresenceState;
  /** Revision of the last event folded into `state`; -1 for an empty stream. */
  revision: number;
}

/** Users whose state stays cached; beyond this the oldest entry goes (a miss only costs one read of the stream). */
const MAX_CACHED_USERS = 100_000;

/** The state before and after one event of the log. */
export interface PresenceStep {
  before: PresenceState;
  after: PresenceState;
}

/**
 * Users' presence states: folded from their `presence-<userId>` stream when decisions need the
 * truth, and cached for the hot paths (a heartbeat asks "is this user offline?" thousands of times
 * a second). A miss folds the stream; from then on the feed moves the entry with the log (command
 * results do not, so the feed can still tell each change's before and after). An entry can lag the
 * log by a moment: a stale answer only costs a command that decides nothing.
 */
@Injectable()
export class PresenceStates {
  private readonly cache = new Map<string, Cached>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandRunner,
    private readonly metrics: HeraldMetrics,
  ) {}

  /** The user's state as the log has it now. */
  async current(userId: string): Promise<PresenceState> {
    return (await this.fold(userId)).state;
  }

  /** The user's state from the cache (folded on a miss): for checks where a moment's lag is harmless. */
  async cached(userId: string): Promise<PresenceState> {
    return (this.cache.get(userId) ?? this.remember(userId, await this.fold(userId))).state;
  }

  /** Runs a presence command for the user; events carry the user's id. */
  async run(
    userId: string,
    command: PresenceCommand,
    context: CommandContext,
    commandId?: string,
  ): Promise<CommandResult<PresenceEvent, PresenceState>> {
    const result = await this.commands.run({
      streamId: streams.presence(userId),
      decider: presenceDecider,
      command,
      context: { ...context, userId },
      commandId,
    });
    for (const event of result.events as PresenceEvent[]) {
      if (event.type === 'PresenceChanged') this.metrics.presenceChanges.inc({ reason: event.data.reason });
    }
    return result;
  }

  /** Activity came: if the user shows offline but chose otherwise, they come back (reason `connect`). */
  async resume(userId: string, at: Date, context: CommandContext): Promise<void> {
    const state = await this.cached(userId);
    if (state.status !== 'offline' || state.choice.status === 'offline') return;
    await this.run(userId, { type: 'ResumePresence', at: at.toISOString() }, context);
  }

  /**
   * Moves the cache past one event the feed delivered, in log order. Returns the states around it
   * when `wanted` (someone here follows the user), folding the stream when the cache cannot tell;
   * otherwise only keeps the cache right.
   */
  async advance(event: RecordedEvent, wanted: boolean): Promise<PresenceStep | null> {
    const userId = event.streamId.slice('presence-'.length);
    const entry = this.cache.get(userId);
    if (entry && entry.revision === event.revision - 1) {
      const after = presenceDecider.evolve(entry.state, event as unknown as PresenceEvent);
      this.remember(userId, { state: after, revision: event.revision });
      return wanted ? { before: entry.state, after } : null;
    }
    if (entry && entry.revision >= event.revision) {
      // A fold on a cache miss went ahead of the feed: the state before this event must be read again.
      if (!wanted) return null;
      const before = (await this.fold(userId, event.revision)).state;
      return { before, after: presenceDecider.evolve(before, event as unknown as PresenceEvent) };
    }
    if (!wanted) {
      this.cache.delete(userId);
      return null;
    }
    const before = (await this.fold(userId, event.revision)).state;
    const after = presenceDecider.evolve(before, event as unknown as PresenceEvent);
    this.remember(userId, { state: after, revision: event.revision });
    return { before, after };
  }

  /** Folds the stream, all of it or its first `count` events. */
  private async fold(userId: string, count?: number): Promise<Cached> {
    if (count === 0) return { state: presenceDecider.initialState(), revision: -1 };
    const events = await this.store.readStream(streams.presence(userId), count === undefined ? {} : { maxCount: count });
    const state = foldEvents(presenceDecider, events as unknown as PresenceEvent[]);
    return { state, revision: events.length === 0 ? -1 : events[events.length - 1].revision };
  }

  private remember(userId: string, entry: Cached): Cached {
    this.cache.delete(userId);
    if (this.cache.size >= MAX_CACHED_USERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(userId, entry);
    return entry;
  }
}
