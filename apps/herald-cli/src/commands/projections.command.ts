import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { ProjectionRunner, readModelDigest, type Projection } from '@herald/projections';
import { READ_STORE, type ReadStore } from '@herald/readstore';
import { withHerald } from '../cli-context';
import { UsageError, print, table } from '../cli-output';

export function projectionsCommand(): Command {
  const projections = new Command('projections').description('read models built from the event log');

  projections
    .command('status')
    .description("each projection's checkpoint and how many events it has yet to apply")
    .option('--json', 'one JSON document instead of a table')
    .action((options: { json?: boolean }) =>
      withHerald(async (herald) => {
        const runner = herald.get(ProjectionRunner);
        const readStore = herald.get<ReadStore>(READ_STORE);
        const rows = [];
        for (const { name } of runner.status()) {
          rows.push({ name, position: await readStore.getCheckpoint(name), lag: await runner.lag(name) });
        }
        if (options.json) return print(JSON.stringify(rows));
        print(table(['projection', 'position', 'lag'], rows.map((r) => [r.name, String(r.position ?? '-'), String(r.lag)])));
      }),
    );

  projections
    .command('rebuild')
    .argument('[name]', 'one projection (default: all)')
    .description('drop the read models and replay the whole log into them, then print their digest')
    .action((name: string | undefined) =>
      withHerald(async (herald) => {
        const runner = herald.get(ProjectionRunner);
        const names = name === undefined ? runner.projections.map((p) => p.name) : [knownProjection(runner, name).name];
        for (const projection of names) {
          const bar = new SingleBar(
            {
              format: `${projection} [{bar}] {percentage}% | {eventsPerSecond} events/s | ETA {etaText} | {applied} events`,
              stream: process.stderr,
              hideCursor: true,
              // Piped to a file or a CI log, the bar still prints a line a second.
              noTTYOutput: true,
              notTTYSchedule: 1000,
            },
          );
          bar.start(1, 0, { eventsPerSecond: 0, etaText: '-', applied: 0 });
          const digest = await runner.rebuild(projection, (progress) => {
            bar.setTotal(Math.max(progress.headPosition ?? 1, 1));
            bar.update(progress.position ?? 0, {
              eventsPerSecond: progress.eventsPerSecond,
              etaText: progress.etaSeconds === null ? '-' : `${progress.etaSeconds.toFixed(1)}s`,
              applied: progress.applied,
            });
          });
          bar.update(bar.getTotal());
          bar.stop();
          print(`${projection} ${digest}`);
        }
        print(`digest ${await readModelDigest(herald.get<ReadStore>(READ_STORE))}`);
      }),
    );

  projections
    .command('digest')
    .argument('[name]', "one projection's collections (default: every read model)")
    .description('a SHA-256 of the read models, to compare two stores or a store before and after a rebuild')
    .action((name: string | undefined) =>
      withHerald(async (herald) => {
        const runner = herald.get(ProjectionRunner);
        const collections = name === undefined ? undefined : knownProjection(runner, name).collections;
        print(await readModelDigest(herald.get<ReadStore>(READ_STORE), collections));
      }),
    );

  return projections;
}

function knownProjection(runner: ProjectionRunner, name: string): Projection {
  const projection = runner.projections.find((p) => p.name === name);
  if (!projection) {
    throw new UsageError(`no projection is named ${name}; known: ${runner.projections.map((p) => p.name).join(', ')}`);
  }
  return projection;
}
