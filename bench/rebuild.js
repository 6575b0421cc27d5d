'use strict';
// Workload d): a rebuild of 1,000,000 events into read models with Herald's ProjectionRunner, next
// to two references that show the machine's ceiling for it: the same projection over plain
// better-sqlite3, and Herald's runner with a projection that does nothing (the read path alone).
// Seeding and each rebuild run in their own child process, so a rebuild's peak RSS is its own.
//   node rebuild.js seed <herald.db> <raw.db> <memberCount> <eventsPerMember> <noisePerRound>
//   node rebuild.js rebuild <herald|herald-empty|raw> <events.db> <read.db>   prints its result as JSON
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { betterSqlite3, loadHerald, machineTimes, median, stealShare, withTempDir } = require('./harness');
const { guildMembers, memberLog } = require('./events');
const { heraldSqlite, rawSqlite } = require('./systems');
const { guildWinsProjection, summaryTotals } = require('./guild-wins.projection');

const GUILDS = 50;
const SEED_BATCH = 50;
/** Events of other features, as a share of the wins events: the projection's filter leaves them out. */
const NOISE_SHARE = 0.05;
/** Events per transaction of the raw reference: what `ProjectionRunner.rebuild` reads per page. */
const RAW_PAGE = 5000;

/**
 * Writes the same log to Herald's store (its own append, real revisions, 50 events per append) and
 * to the raw reference's table, each when its file is given; not timed.
 */
async function seed({ herald, heraldFile, rawFile }, memberCount, eventsPerMember, noisePerRound) {
  const members = guildMembers({ guildCount: GUILDS, memberCount });
  // Seeding is not measured: skip the fsync per commit so it takes seconds, not minutes.
  const store = heraldFile ? await heraldSqlite(herald, heraldFile, { synchronous: 'NORMAL' }) : undefined;
  const raw = rawFile ? rawSqlite(rawFile) : undefined;
  let count = 0;
  for (const { streamId, events } of memberLog({ members, eventsPerMember, batchSize: SEED_BATCH, noisePerRound })) {
    await store?.append(streamId, events);
    raw?.append(streamId, events);
    count += events.length;
  }
  await store?.close();
  raw?.close();
  return count;
}

/** `rebuild()` of one projection with Herald's runner on Herald's SQLite stores. */
async function heraldRebuild(herald, projection, eventsFile, readFile) {
  const eventStore = await herald.createSqliteEventStore({ path: eventsFile });
  const readStore = await herald.createSqliteReadStore({ path: readFile });
  const runner = new herald.ProjectionRunner(eventStore, readStore, [projection]);
  let applied = 0;
  try {
    const started = measureStart();
    const digest = await runner.rebuild(projection.name, (progress) => {
      applied = progress.applied;
      sampleRss();
    });
    return { ...measureEnd(started), applied, digest, totals: await summaryTotals(readStore) };
  } finally {
    await readStore.close();
    await eventStore.close();
  }
}

/**
 * The floor: the same projection code against plain better-sqlite3. Pages of 5000 events (keyset,
 * the type filter tested row by row along the primary key), each page applied in one transaction
 * with its checkpoint. Within a page a map keeps the documents read and written, so each is read
 * with one prepared SELECT and written with one upsert per page, as Herald's runner does since its
 * batches go through a unit of work. `apply` is awaited per event, as the port makes it.
 */
async function rawRebuild(eventsFile, readFile) {
  const Database = betterSqlite3();
  const log = new Database(eventsFile, { readonly: true });
  const db = new Database(readFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE documents (scope TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
             PRIMARY KEY (scope, collection, id));
           CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);`);
  const types = guildWinsProjection.filter.eventTypes;
  const selectPage = log
    .prepare(
      `SELECT position, stream_id, revision, id, type, data, metadata FROM events
       WHERE position > ? AND type IN (${types.map(() => '?').join(', ')}) ORDER BY position LIMIT ?`,
    )
    .raw();
  const getDocument = db.prepare('SELECT body FROM documents WHERE scope = ? AND collection = ? AND id = ?').pluck();
  const upsertDocument = db.prepare(
    'INSERT INTO documents (scope, collection, id, body) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET body = excluded.body',
  );
  const setCheckpoint = db.prepare('INSERT INTO checkpoints VALUES (?, ?) ON CONFLICT DO UPDATE SET position = excluded.position');
  let page = new Map();
  const session = {
    forGuild: (guildId) => ({
      collection: (name) => {
        const scope = `guild:${guildId}`;
        const key = (id) => `${scope}\u0000${name}\u0000${id}`;
        return {
          async get(id) {
            const known = page.get(key(id));
            if (known) return known.doc;
            const body = getDocument.get(scope, name, id);
            const doc = body === undefined ? null : JSON.parse(body);
            page.set(key(id), { scope, name, id, doc, dirty: false });
            return doc;
          },
          async upsert(doc) {
            page.set(key(doc.id), { scope, name, id: doc.id, doc, dirty: true });
          },
        };
      },
    }),
  };
  let applied = 0;
  try {
    const started = measureStart();
    let after = 0;
    for (;;) {
      const rows = selectPage.all(after, ...types, RAW_PAGE);
      if (rows.length === 0) break;
      db.exec('BEGIN IMMEDIATE');
      page = new Map();
      for (const [position, streamId, revision, id, type, data, metadata] of rows) {
        const event = { id, type, data: JSON.parse(data), metadata: JSON.parse(metadata), streamId, revision, position };
        await guildWinsProjection.apply(event, session);
      }
      for (const { scope, name, id, doc, dirty } of page.values()) {
        if (dirty) upsertDocument.run(scope, name, id, JSON.stringify(doc));
      }
      after = rows[rows.length - 1][0];
      setCheckpoint.run(guildWinsProjection.name, after);
      db.exec('COMMIT');
      applied += rows.length;
      sampleRss();
    }
    return { ...measureEnd(started), applied };
  } finally {
    db.close();
    log.close();
  }
}

let sampledPeakRss = 0;
function sampleRss() {
  sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss());
}

function measureStart() {
  sampleRss();
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage(), machine: machineTimes() };
}

function measureEnd(started) {
  const cpu = process.cpuUsage(started.cpu);
  sampleRss();
  return {
    seconds: Number(process.hrtime.bigint() - started.wall) / 1e9,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    steal: stealShare(started.machine, machineTimes()),
  };
}

const VARIANTS = {
  herald: (herald, eventsFile, readFile) => heraldRebuild(herald, guildWinsProjection, eventsFile, readFile),
  'herald-empty': (herald, eventsFile, readFile) =>
    heraldRebuild(herald, { ...guildWinsProjection, apply: async () => undefined }, eventsFile, readFile),
  raw: (herald, eventsFile, readFile) => rawRebuild(eventsFile, readFile),
};

/** Herald's compiled libraries; the raw reference's process never loads them, so its RSS is its own too. */
function requireHerald() {
  const herald = loadHerald();
  if (herald.missing) throw new Error(herald.missing);
  return herald;
}

async function child(mode, args) {
  if (mode === 'seed') {
    const [heraldFile, rawFile, memberCount, eventsPerMember, noisePerRound] = args;
    const count = await seed({ herald: requireHerald(), heraldFile, rawFile }, Number(memberCount), Number(eventsPerMember), Number(noisePerRound));
    process.stdout.write(JSON.stringify({ count }));
    return;
  }
  const [variant, eventsFile, readFile] = args;
  const run = VARIANTS[variant];
  const herald = variant === 'raw' ? undefined : requireHerald();
  // Warm-up: the same rebuild on a small log first, in this process, so the measured one runs on warm code.
  await withTempDir('rebuild-warmup', async (temp) => {
    const files = variant === 'raw' ? { rawFile: temp.file('events.db') } : { herald, heraldFile: temp.file('events.db') };
    await seed(files, 100, 100, 500);
    await run(herald, temp.file('events.db'), temp.file('read.db'));
  });
  const result = await run(herald, eventsFile, readFile);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ...result, peakRss: Math.max(maxRss, sampledPeakRss) }));
}

function runChild(args) {
  const run = spawnSync(process.execPath, [__filename, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`node rebuild.js ${args.slice(0, 2).join(' ')} exited with ${run.status ?? run.signal}`);
  return JSON.parse(run.stdout);
}

/**
 * Seeds `memberCount` × `eventsPerMember` wins events plus noise, then rebuilds them with each
 * variant, `rounds` times with the variants in turn, as a) to c) do: a slow spell of the machine
 * then falls on all of them alike. Per variant: the run with the median rate (its `eventsPerSecond`
 * over the events applied, its wall and CPU time), every round's rate, and the peak RSS of all rounds.
 */
async function rebuildWorkload({ memberCount, eventsPerMember, rounds }) {
  const seedRounds = Math.ceil(eventsPerMember / SEED_BATCH);
  const noisePerRound = Math.round((memberCount * eventsPerMember * NOISE_SHARE) / seedRounds);
  const expected = memberCount * eventsPerMember;
  return withTempDir('rebuild', async (temp) => {
    const files = { herald: temp.file('herald.db'), raw: temp.file('raw.db') };
    const seeded = runChild(['seed', files.herald, files.raw, String(memberCount), String(eventsPerMember), String(noisePerRound)]);
    const runs = { raw: [], 'herald-empty': [], herald: [] };
    for (let round = 0; round < rounds; round++) {
      for (const variant of Object.keys(runs)) {
        const eventsFile = variant === 'raw' ? files.raw : files.herald;
        const readFile = temp.file(`read-${variant}-${round}.db`);
        const result = runChild(['rebuild', variant, eventsFile, readFile]);
        if (result.applied !== expected) throw new Error(`${variant} rebuild applied ${result.applied} of ${expected} events`);
        runs[variant].push({ ...result, eventsPerSecond: result.applied / result.seconds });
        for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${readFile}${suffix}`, { force: true });
      }
    }
    const results = {};
    for (const [variant, variantRuns] of Object.entries(runs)) {
      const rates = variantRuns.map((run) => run.eventsPerSecond);
      const representative = variantRuns.find((run) => run.eventsPerSecond === median(rates));
      const peakRss = Math.max(...variantRuns.map((run) => run.peakRss));
      results[variant] = { ...representative, rates, peakRss };
    }
    const digests = new Set(runs.herald.map((run) => run.digest));
    if (digests.size !== 1) throw new Error(`the rounds' rebuilds left different read models: ${[...digests].join(', ')}`);
    const { totals } = results.herald;
    if (totals.syncs !== expected - memberCount || totals.linkedMembers !== memberCount) {
      throw new Error(`the rebuilt summaries count ${JSON.stringify(totals)}, not every event`);
    }
    return { logEvents: seeded.count, expected, rounds, ...results };
  });
}

if (require.main === module) {
  child(process.argv[2], process.argv.slice(3)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { rebuildWorkload };
