import { Command } from 'commander';
import { AuditService } from '@herald/audit';
import { withHerald } from '../cli-context';
import { wholeNumber } from '../cli-arguments';

export function eventsCommand(): Command {
  const events = new Command('events').description('the event log itself');
  events
    .command('export')
    .description('every event as NDJSON, in log order')
    .option('--from <position>', 'first global position to export (inclusive)', wholeNumber('--from', 0, Number.MAX_SAFE_INTEGER))
    .action((options: { from?: number }) =>
      withHerald(async (herald) => {
        for await (const event of herald.get(AuditService).exportEvents(options.from)) {
          if (!process.stdout.write(`${JSON.stringify(event)}\n`)) {
            await new Promise((resolve) => process.stdout.once('drain', resolve));
          }
        }
      }),
    );
  return events;
}
