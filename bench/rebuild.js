'use strict';
// Workload d): a rebuild of 1,000,000 events into read models with Herald's ProjectionRunner.
// Seeding and the rebuild each run in a child process, so the rebuild's peak RSS is its own.
//   node rebuild.js seed <events.db> <membersCount> <eventsPerMember> <noisePerRound>
//   node rebuild.js rebuild <events.db> <read.db>      prints its result as JSON on stdout
const { spawnSync } = require('node:child_process');
const { loadHerald, withTempDir, timed } = require('./harness');
const { guildMembers, memberLog } = require('./events');
const { heraldSqlite } = require('./systems');
const { guildWinsProjection, summaryTotals } = require('./guild-wins.projection');

const GUILDS = 50;
const SEED_BATCH = 50;
/** Events of other features, as a share of the wins events: the projection's filter leaves them out. */
const NOISE_SHARE = 0.05;

/** Writes the log with Herald's own append (real revisions), 50 events per append; not timed. */
async function seed(herald, file, memberCount, eventsPerMember, noisePerRound) {
  const members = guildMembers({ guildCount: GUILDS, memberCount });
  // Seeding is not measured: skip the fsync per commit so it takes seconds, not minutes.
  const store = await heraldSqlite(herald, file, { synchronous: 'NORMAL' });
  let count = 0;
  for (const { streamId, events } of memberLog({ members, eventsPerMember, batchSize: SEED_BATCH, noisePerRound })) {
    await store.append(streamId, events);
    count += events.length;
  }
  await store.close();
  return count;
}

async function rebuild(herald, eventsFile, readFile) {
  const eventStore = await herald.createSqliteEventStore({ path: eventsFile });
  const readStore = await herald.createSqliteReadStore({ path: readFile });
  const runner = new herald.ProjectionRunner(eventStore, readStore, [guildWinsProjection]);
  let sampledPeakRss = process.memoryUsage().rss;
  const sample = () => {
    sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage().rss);
  };
  const sampler = setInterval(sample, 50);
  let applied = 0;
  let digest;
  try {
    const cpuBefore = process.cpuUsage();
    const seconds = await timed(async () => {
      digest = await runner.rebuild(guildWinsProjection.name, (progress) => {
        applied = progress.applied;
        sample();
      });
    });
    const cpu = process.cpuUsage(cpuBefore);
    sample();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { applied, seconds, cpuSeconds, digest, sampledPeakRss, totals: await summaryTotals(readStore) };
  } finally {
    clearInterval(sampler);
    await readStore.close();
    await eventStore.close();
  }
}

async function child(mode, args) {
  const herald = loadHerald();
  if (herald.missing) throw new Error(herald.missing);
  if (mode === 'seed') {
    const [file, memberCount, eventsPerMember, noisePerRound] = args;
    const count = await seed(herald, file, Number(memberCount), Number(eventsPerMember), Number(noisePerRound));
    process.stdout.write(JSON.stringify({ count }));
    return;
  }
  const [eventsFile, readFile] = args;
  // Warm-up: the same rebuild on a small log first, in this process, so the measured one runs on warm code.
  await withTempDir('rebuild-warmup', async (temp) => {
    await seed(herald, temp.file('events.db'), 100, 100, 500);
    await rebuild(herald, temp.file('events.db'), temp.file('read.db'));
  });
  const result = await rebuild(herald, eventsFile, readFile);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ...result, peakRss: Math.max(maxRss, result.sampledPeakRss), maxRss }));
}

function runChild(args) {
  const run = spawnSync(process.execPath, [__filename, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`node rebuild.js ${args[0]} exited with ${run.status ?? run.signal}`);
  return JSON.parse(run.stdout);
}

/** Seeds `memberCount` × `eventsPerMember` wins events plus noise, then rebuilds them all; returns the child's figures. */
async function rebuildWorkload({ memberCount, eventsPerMember }) {
  const rounds = Math.ceil(eventsPerMember / SEED_BATCH);
  const noisePerRound = Math.round((memberCount * eventsPerMember * NOISE_SHARE) / rounds);
  return withTempDir('rebuild', async (temp) => {
    const eventsFile = temp.file('events.db');
    const seeded = runChild(['seed', eventsFile, String(memberCount), String(eventsPerMember), String(noisePerRound)]);
    const result = runChild(['rebuild', eventsFile, temp.file('read.db')]);
    const expected = memberCount * eventsPerMember;
    const winsSynced = expected - memberCount;
    if (result.applied !== expected || result.totals.syncs !== winsSynced || result.totals.linkedMembers !== memberCount) {
      throw new Error(`rebuild applied ${result.applied} of ${expected} events, summaries count ${JSON.stringify(result.totals)}`);
    }
    return { ...result, logEvents: seeded.count, eventsPerSecond: result.applied / result.seconds };
  });
}

if (require.main === module) {
  child(process.argv[2], process.argv.slice(3)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { rebuildWorkload };
