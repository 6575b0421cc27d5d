import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { HeraldError, InvalidConfiguration } from '@herald/core';
import { UsageError } from './cli-output';
import { auditCommand } from './commands/audit.command';
import { eventsCommand } from './commands/events.command';
import { projectionsCommand } from './commands/projections.command';
import { tokensCommand } from './commands/tokens.command';

const program = new Command('herald-cli')
  .description("Herald's operator CLI: works on the store named by HERALD_DATA_DIR / HERALD_EVENTSTORE / HERALD_READSTORE")
  .exitOverride()
  .addCommand(projectionsCommand())
  .addCommand(auditCommand())
  .addCommand(eventsCommand())
  .addCommand(tokensCommand());

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const expected = error instanceof UsageError || error instanceof HeraldError || error instanceof InvalidConfiguration;
    process.stderr.write(`herald-cli: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!expected && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(expected ? 2 : 1);
  },
);
