import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock, type CommandContext, InvalidInput } from '@herald/core';
import { addDays, type DateRange, daysInRange, localDate, MAX_SYNC_RANGE_DAYS, SYNC_WINDOW_DAYS } from '../domain/dates';
import { IntegrationSyncs, type SyncResult } from '../reactors/integration-syncs';
import { IntegrationStreams } from './integration-streams';

/** Syncs a user's integration now, for the given days (default: the user's last 7), and says what was imported. */
export class SyncIntegrationCommand extends Command<SyncResult> {
  constructor(
    readonly userId: string,
    readonly pluginId: string,
    readonly range: { startDate?: string; endDate?: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SyncIntegrationCommand)
export class SyncIntegrationHandler implements ICommandHandler<SyncIntegrationCommand, SyncResult> {
  constructor(
    private readonly syncs: IntegrationSyncs,
    private readonly streams: IntegrationStreams,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ userId, pluginId, range, context }: SyncIntegrationCommand): Promise<SyncResult> {
    const key = { userId, pluginId };
    const { state } = await this.streams.load(key);
    const today = localDate(this.clock.now(), state.timeZone);
    const result = await this.syncs.sync(key, { range: syncRange(range, today), trigger: 'manual', context });
    // A manual sync waits for any other instead of skipping, so it always has a result.
    return result!;
  }
}

/** The requested days: an end defaults to today, a start to the week ending at the end; at most 100 days. */
export function syncRange(requested: { startDate?: string; endDate?: string }, today: string): DateRange {
  const endDate = requested.endDate ?? (requested.startDate === undefined ? today : minDate(addDays(requested.startDate, SYNC_WINDOW_DAYS - 1), today));
  const startDate = requested.startDate ?? addDays(endDate, 1 - SYNC_WINDOW_DAYS);
  if (startDate > endDate) {
    throw new InvalidInput('Invalid fields: startDate, endDate.', {
      code: 'SYNC.RANGE_INVALID',
      errors: [{ field: 'startDate', messages: ['startDate must not be after endDate'] }],
    });
  }
  if (daysInRange(startDate, endDate) > MAX_SYNC_RANGE_DAYS) {
    throw new InvalidInput('Invalid fields: startDate, endDate.', {
      code: 'SYNC.RANGE_TOO_LONG',
      errors: [{ field: 'endDate', messages: [`the range from startDate to endDate must span at most ${MAX_SYNC_RANGE_DAYS} days`] }],
    });
  }
  return { startDate, endDate };
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}
