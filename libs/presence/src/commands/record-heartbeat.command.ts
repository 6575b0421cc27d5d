import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock, type CommandContext } from '@herald/core';
import { HeraldMetrics } from '@herald/observability';
import { LivenessMonitor } from '../reactors/liveness-monitor';
import { PresenceLeases } from '../reactors/presence-leases';
import { PresenceStates } from './presence-states';

/**
 * A heartbeat: the user is held online for the timeout after it. No event unless it brings an
 * offline user back (then one `PresenceChanged`, reason `connect`).
 */
export class RecordHeartbeatCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly transport: 'rest' | 'socket',
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecordHeartbeatCommand)
export class RecordHeartbeatHandler implements ICommandHandler<RecordHeartbeatCommand, void> {
  constructor(
    private readonly states: PresenceStates,
    private readonly leases: PresenceLeases,
    private readonly monitor: LivenessMonitor,
    private readonly metrics: HeraldMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ userId, transport, context }: RecordHeartbeatCommand): Promise<void> {
    this.monitor.checkAfter(userId, this.leases.heartbeat(userId));
    this.metrics.presenceHeartbeats.inc({ transport });
    await this.states.resume(userId, this.clock.now(), context);
  }
}
