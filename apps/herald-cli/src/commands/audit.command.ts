import { Command } from 'commander';
import { AuditService } from '@herald/audit';
import { withHerald } from '../cli-context';
import { print, table } from '../cli-output';
import { guildId, isoTime, wholeNumber } from '../cli-arguments';

export function auditCommand(): Command {
  return new Command('audit')
    .description("a guild's history read from the event log, newest first")
    .requiredOption('--guild <id>', 'guild id', guildId('--guild'))
    .option('--until <ISO time>', 'only what happened at or before this time', isoTime('--until'))
    .option('--limit <n>', 'most entries to print', wholeNumber('--limit', 1, 100_000), 100)
    .option('--json', 'NDJSON, one entry a line')
    .action((options: { guild: string; until?: string; limit: number; json?: boolean }) =>
      withHerald(async (herald) => {
        const audit = herald.get(AuditService);
        const entries = [];
        for (let page = 1; entries.length < options.limit; page += 1) {
          const result = await audit.guildAudit(options.guild, { page, pageSize: 100, until: options.until });
          entries.push(...result.items);
          if (!result.hasMore) break;
        }
        entries.splice(options.limit);
        if (options.json) {
          for (const entry of entries) print(JSON.stringify(entry));
          return;
        }
        if (entries.length === 0) return print(`guild ${options.guild} has no events${options.until ? ` until ${options.until}` : ''}`);
        print(
          table(
            ['position', 'occurredAt', 'type', 'source', 'actor', 'data'],
            entries.map((e) => [String(e.position), e.occurredAt, e.type, e.source, e.actorId ?? '-', JSON.stringify(e.data)]),
          ),
        );
      }),
    );
}
