import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock, type CommandContext } from '@herald/core';
import type { PresenceStatus } from '../domain/presence';
import { presenceSeenBy, type PresenceView } from '../domain/privacy';
import { LivenessMonitor } from '../reactors/liveness-monitor';
import { PresenceLeases } from '../reactors/presence-leases';
import { PresenceStates } from './presence-states';

export interface PresenceChoice {
  status: PresenceStatus;
  message?: string | null;
  daw?: string | null;
  /** ISO-8601: when the user made the change; default: now. Orders late and retried requests. */
  changedAt?: string;
}

/**
 * The user sets their status (a missing message or DAW clears it). Setting a status is activity
 * and refreshes the heartbeat lease. A change made before the last one applied changes nothing;
 * the answer is the user's presence either way.
 */
export class SetPresenceCommand extends Command<PresenceView> {
  constructor(
    readonly userId: string,
    readonly choice: PresenceChoice,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SetPresenceCommand)
export class SetPresenceHandler implements ICommandHandler<SetPresenceCommand, PresenceView> {
  constructor(
    private readonly states: PresenceStates,
    private readonly leases: PresenceLeases,
    private readonly monitor: LivenessMonitor,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ userId, choice, context }: SetPresenceCommand): Promise<PresenceView> {
    const receivedAt = this.clock.now().toISOString();
    // The lease first: a liveness check running meanwhile must already see the user active.
    this.monitor.checkAfter(userId, this.leases.heartbeat(userId));
    const result = await this.states.run(
      userId,
      {
        type: 'SetPresence',
        status: choice.status,
        message: choice.message ?? null,
        daw: choice.daw ?? null,
        requestedAt: choice.changedAt ?? receivedAt,
        receivedAt,
      },
      context,
    );
    return presenceSeenBy(result.state, userId, userId);
  }
}
