'use strict';
// `npm run bench`: the raw better-sqlite3 reference, Herald's SQLite stores and Emmett's SQLite
// event store on the same workloads, on this machine, in this run. See README.md.
//   --quick          a tenth of the counts (smoke test; figures are not comparable)
//   --write-results  also writes RESULTS.md with this run's figures (keeping the notes below its marker)
//   --only wins-sync only e), the wins sync (with --write-results: rewrites only e)'s section of RESULTS.md)
//   --only imports   only f), the hourly import round (with --write-results: rewrites only f)'s section)
//   --only fronting  only h), 1,000 systems' PluralKit switches (with --write-results: rewrites only h)'s section)
//   --only presence  only g), 5,000 presence sockets (with --write-results: rewrites only g)'s section)
// Exits 1 when a measurement could not be taken (Herald not built, a store failed); a missed target is a MISS, not a failure.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { betterSqlite3, loadHerald, formatRate, formatShare, ROOT } = require('./harness');
const { rawSqlite, heraldSqlite, emmettSqlite, READ_PAGE_SIZE } = require('./systems');
const { appendWorkload, readWorkload } = require('./workloads');
const { rebuildWorkload } = require('./rebuild');
const { winsSyncWorkload, winsSyncReport, winsSyncMarkdown, replaceWinsSyncSection } = require('./wins-sync');
const { importsWorkload, importsReport, importsMarkdown, replaceImportsSection } = require('./imports');
const { frontingWorkload, frontingReport, replaceFrontingSection } = require('./fronting');
const { presenceWorkload, presenceReport, replacePresenceSection } = require('./presence');

const quick = process.argv.includes('--quick');
const onlyWinsSync = process.argv[process.argv.indexOf('--only') + 1] === 'wins-sync';
const onlyImports = process.argv[process.argv.indexOf('--only') + 1] === 'imports';
const onlyFronting = process.argv[process.argv.indexOf('--only') + 1] === 'fronting';
const onlyPresence = process.argv[process.argv.indexOf('--only') + 1] === 'presence';
const scale = (count) => (quick ? Math.max(1, Math.round(count / 10)) : count);

const ROUNDS = 5;
/** A rebuild runs for seconds, not milliseconds: three rounds of it. */
const REBUILD_ROUNDS = 3;
const COUNTS = {
  durable: { appends: scale(5000), warmUp: scale(500), batchSize: 1 },
  rawBatch: { appends: scale(200), warmUp: scale(20), batchSize: 1000 },
  storeBatch: { appends: scale(2000), warmUp: scale(200), batchSize: 100 },
  read: { eventsPerMember: scale(100) },
  rebuild: { memberCount: 2000, eventsPerMember: scale(500) },
};
const REBUILD_TARGET = { eventsPerSecond: 100_000, peakRssBytes: 300e6 };

function packageVersion(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

function machine() {
  const Database = betterSqlite3();
  const db = new Database(':memory:');
  const sqliteVersion = db.prepare('SELECT sqlite_version() AS v').get().v;
  db.close();
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus.length} cores, ${cpus[0]?.model ?? 'unknown cpu'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    load: os.loadavg().map((load) => load.toFixed(2)).join(' '),
    rawAndHerald: `better-sqlite3 ${packageVersion(path.join(ROOT, 'node_modules', 'better-sqlite3'))} (SQLite ${sqliteVersion}), from the root's node_modules`,
    emmett: `@event-driven-io/emmett-sqlite ${packageVersion(path.join(__dirname, 'node_modules', '@event-driven-io', 'emmett-sqlite'))} on sqlite3 ${packageVersion(path.join(__dirname, 'node_modules', 'sqlite3'))} (SQLite ${require('sqlite3').VERSION})`,
  };
}

/** Runs the rebuild workload; when it cannot run or fails, that is reported instead of ending the run. */
async function attempt(work) {
  try {
    return await work();
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function heraldOpener(herald) {
  return herald.missing ? () => Promise.reject(new Error('Herald not available (see above)')) : (file) => heraldSqlite(herald, file);
}

/** Workloads a) to c): per system, what is timed; `run` measures all three systems interleaved. */
function appendAndReadPlans(herald) {
  const openHerald = heraldOpener(herald);
  const { durable, rawBatch, storeBatch, read } = COUNTS;
  const readEvents = read.eventsPerMember * 2000;
  return [
    {
      id: 'a',
      title: `durable single-event appends (WAL, synchronous=FULL): ${durable.appends} appends per system after ${durable.warmUp} warm-up, one transaction each`,
      unit: 'appends/s',
      target: 0.5,
      rows: [
        { system: 'raw better-sqlite3', what: 'one-row INSERT per transaction', open: rawSqlite, ...durable },
        { system: 'Herald SQLite', what: 'append(stream, [event], { expectedRevision })', open: openHerald, ...durable },
        { system: 'Emmett SQLite', what: 'appendToStream(stream, [event], { expectedStreamVersion })', open: emmettSqlite, ...durable },
      ],
      run: (rows) => appendWorkload('a', rows, ROUNDS),
    },
    {
      id: 'b',
      title: `batched appends (WAL, synchronous=FULL): raw ${rawBatch.appends} × ${rawBatch.batchSize} rows, stores ${storeBatch.appends} × ${storeBatch.batchSize} events, after a warm-up`,
      unit: 'events/s',
      target: 0.4,
      rows: [
        { system: 'raw better-sqlite3', what: `${rawBatch.batchSize} rows per transaction`, open: rawSqlite, ...rawBatch },
        { system: 'Herald SQLite', what: `append of ${storeBatch.batchSize} events with expectedRevision`, open: openHerald, ...storeBatch },
        { system: 'Emmett SQLite', what: `appendToStream of ${storeBatch.batchSize} events with expectedStreamVersion`, open: emmettSqlite, ...storeBatch },
      ],
      run: (rows) => appendWorkload('b', rows, ROUNDS),
    },
    {
      id: 'c',
      title: `read the whole log of ${readEvents.toLocaleString('en-US')} events, after one warm-up read`,
      unit: 'events/s',
      target: 0.5,
      rows: [
        { system: 'raw better-sqlite3', what: `SELECT all rows (pages of ${READ_PAGE_SIZE}) + JSON.parse(data), JSON.parse(metadata)`, open: rawSqlite },
        { system: 'Herald SQLite', what: `readAll() in pages of ${READ_PAGE_SIZE} from the start`, open: openHerald },
        { system: 'Emmett SQLite', what: `readMessagesBatch() in pages of ${READ_PAGE_SIZE}`, open: emmettSqlite },
      ],
      run: (rows) => readWorkload('c', rows, ROUNDS, read.eventsPerMember),
    },
  ];
}

/** Adds each row's ratio to the raw reference and the workload's verdict on Herald's ratio. */
function judge(workload) {
  const reference = workload.rows[0].result;
  for (const row of workload.rows) {
    if (!row.result.error && !reference.error) row.ratio = row.result.rate / reference.rate;
  }
  const herald = workload.rows.find((row) => row.system === 'Herald SQLite');
  workload.verdict = herald.ratio !== undefined && herald.ratio >= workload.target ? 'PASS' : 'MISS';
  return workload;
}

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => '  ' + row.map((cell, i) => (i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('   ').trimEnd()).join('\n');
}

function printWorkload(workload) {
  console.log(`\n${workload.id}) ${workload.title}`);
  const lines = workload.rows.map((row) => {
    const rate = row.result.error ? 'not run' : `${formatRate(row.result.rate)} ${workload.unit}`;
    const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(2)} × raw`;
    let note = '';
    if (row.result.error) note = row.result.error;
    else if (row.system === 'Herald SQLite') note = `target ≥ ${workload.target.toFixed(2)} × raw: ${workload.verdict}`;
    else if (row.result.note) note = row.result.note;
    return [row.system, row.what, rate, ratio, note];
  });
  console.log(table(lines));
}

const REBUILD_ROWS = [
  { variant: 'raw', system: 'raw better-sqlite3', what: 'the same projection code over prepared statements, one transaction and one read and write per document per 5000 events' },
  { variant: 'herald-empty', system: 'Herald, empty apply()', what: 'ProjectionRunner.rebuild() of a projection that does nothing: the read path and the runner alone' },
  { variant: 'herald', system: 'Herald SQLite', what: 'ProjectionRunner.rebuild() on the SQLite event and read stores' },
];

async function rebuildSection(herald) {
  const { memberCount, eventsPerMember } = COUNTS.rebuild;
  const events = memberCount * eventsPerMember;
  const title = `rebuild of ${events.toLocaleString('en-US')} events (PlayerLinked + WinsSynced of ${memberCount} members in 50 guilds, among 5% noise events of other types) into per-member and per-guild read models, each in its own process after a warm-up rebuild of a small log; the median of ${REBUILD_ROUNDS} interleaved rounds`;
  const result = herald.missing ? { error: herald.missing } : await attempt(() => rebuildWorkload({ memberCount, eventsPerMember, rounds: REBUILD_ROUNDS }));
  if (result.error) return { id: 'd', title, result, verdict: 'MISS' };
  const measured = result.herald;
  const fast = measured.eventsPerSecond >= REBUILD_TARGET.eventsPerSecond;
  const lean = measured.peakRss < REBUILD_TARGET.peakRssBytes;
  const rows = REBUILD_ROWS.map((row) => ({ ...row, result: result[row.variant], ratio: result[row.variant].eventsPerSecond / result.raw.eventsPerSecond }));
  return { id: 'd', title, result, rows, verdict: fast && lean ? 'PASS' : 'MISS', fast, lean };
}

function roundRates(result) {
  return result.rates.map(formatRate).join(' / ');
}

function rebuildTargetNote(rebuild) {
  return `target ≥ ${formatRate(REBUILD_TARGET.eventsPerSecond)} events/s: ${rebuild.fast ? 'PASS' : 'MISS'}; peak RSS < ${REBUILD_TARGET.peakRssBytes / 1e6} MB: ${rebuild.lean ? 'PASS' : 'MISS'}`;
}

function printRebuild(rebuild) {
  console.log(`\nd) ${rebuild.title}`);
  if (rebuild.result.error) {
    console.log(`  Herald SQLite   not run: ${rebuild.result.error}   MISS`);
    return;
  }
  const lines = rebuild.rows.map((row) => [
    row.system,
    row.what,
    `${formatRate(row.result.eventsPerSecond)} events/s`,
    `${row.ratio.toFixed(2)} × raw`,
    `${row.result.seconds.toFixed(1)} s wall, ${row.result.cpuSeconds.toFixed(1)} s CPU, machine's steal ${formatShare(row.result.steal)}, peak RSS ${(row.result.peakRss / 1e6).toFixed(0)} MB; rounds ${roundRates(row.result)}`,
  ]);
  console.log(table(lines));
  const herald = rebuild.result.herald;
  console.log(`  Herald: ${rebuildTargetNote(rebuild)}`);
  console.log(`  ${herald.applied.toLocaleString('en-US')} events applied of a ${rebuild.result.logEvents.toLocaleString('en-US')}-event log; read-model digest ${herald.digest}`);
}

const KEPT_NOTES_MARKER = '<!-- Everything below this line is kept when run.js --write-results rewrites the figures above. -->';

function resultsMarkdown(info, workloads, rebuild, winsSync, imports, keptNotes) {
  const lines = [
    '# Benchmark results',
    '',
    'Figures of one full run (`node run.js --write-results`, which is `npm run bench` plus writing this file).',
    'Ratios compare each store with the raw better-sqlite3 reference measured in the same run on the same machine;',
    `in a) to c) each figure is the median of ${ROUNDS} interleaved rounds (see README.md).`,
    '',
    `- date: ${info.date}`,
    `- machine: ${info.cpu}, ${info.memory}, ${info.platform}; load average at start ${info.load}`,
    `- node: ${info.node}`,
    `- raw reference and Herald: ${info.rawAndHerald}`,
    `- Emmett: ${info.emmett}`,
    '',
    `Herald against its targets: ${verdictLine(workloads, rebuild, winsSync, imports)}`,
    '',
  ];
  for (const workload of workloads) {
    lines.push(`## ${workload.id}) ${workload.title}`, '', `| system | what is timed | ${workload.unit} | ratio to raw | target or note |`, '| --- | --- | ---: | ---: | --- |');
    for (const row of workload.rows) {
      const rate = row.result.error ? `not run: ${row.result.error}` : formatRate(row.result.rate);
      const ratio = row.ratio === undefined ? '' : row.ratio.toFixed(2);
      let note = row.result.note ?? '';
      if (row.system === 'Herald SQLite') note = `≥ ${workload.target.toFixed(2)}: **${workload.verdict}**`;
      else if (row.system === 'raw better-sqlite3') note = 'reference';
      lines.push(`| ${row.system} | \`${row.what}\` | ${rate} | ${ratio} | ${note} |`);
    }
    lines.push('');
  }
  lines.push(`## d) ${rebuild.title}`, '');
  if (rebuild.result.error) lines.push(`Not run: ${rebuild.result.error} — **MISS**`, '');
  else {
    lines.push(
      '| system | what is timed | events/s (median) | ratio to raw | wall / CPU time, machine\'s steal (median run) | peak RSS (all rounds) | each round, events/s |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const row of rebuild.rows) {
      const r = row.result;
      lines.push(
        `| ${row.system} | ${row.what} | ${formatRate(r.eventsPerSecond)} | ${row.ratio.toFixed(2)} | ${r.seconds.toFixed(1)} s / ${r.cpuSeconds.toFixed(1)} s, ${formatShare(r.steal)} | ${(r.peakRss / 1e6).toFixed(0)} MB | ${roundRates(r)} |`,
      );
    }
    const herald = rebuild.result.herald;
    lines.push(
      '',
      `Herald: ${rebuildTargetNote(rebuild).replace(/(PASS|MISS)/g, '**$1**')}.`,
      `${herald.applied.toLocaleString('en-US')} events applied of a ${rebuild.result.logEvents.toLocaleString('en-US')}-event log; read-model digest \`${herald.digest}\`.`,
      '',
    );
  }
  lines.push(...winsSyncMarkdown(info, winsSync), '', ...importsMarkdown(info, imports), '', KEPT_NOTES_MARKER, keptNotes);
  return lines.join('\n');
}

function verdictLine(workloads, rebuild, winsSync, imports) {
  return [...workloads.map((w) => `${w.id}) ${w.verdict}`), `d) ${rebuild.verdict}`, `e) ${winsSync.verdict}`, `f) ${imports.verdict}`].join('  ');
}

/** e): the wins sync against the fake upstreams, in its own process (see wins-sync.js). */
async function winsSyncSection() {
  const result = await attempt(async () => winsSyncWorkload({ quick }));
  return { result, verdict: result.error ? 'MISS' : result.verdict };
}

function printWinsSync(winsSync) {
  console.log(`\n${winsSync.result.error ? `e) wins sync not run: ${winsSync.result.error}   MISS` : winsSyncReport(winsSync.result)}`);
}

/** f): the hourly import round against the fake Fitbit, in its own process (see imports.js). */
async function importsSection() {
  const result = await attempt(async () => importsWorkload({ quick }));
  return { result, verdict: result.error ? 'MISS' : result.verdict };
}

function printImports(imports) {
  console.log(`\n${imports.result.error ? `f) import round not run: ${imports.result.error}   MISS` : importsReport(imports.result)}`);
}

/** `--only imports`: f) alone; `--write-results` replaces f)'s section of RESULTS.md and leaves the others as they were. */
async function mainImportsOnly(info) {
  const imports = await importsSection();
  printImports(imports);
  if (imports.result.error) process.exitCode = 1;
  if (process.argv.includes('--write-results')) {
    const file = path.join(__dirname, 'RESULTS.md');
    fs.writeFileSync(file, replaceImportsSection(fs.readFileSync(file, 'utf8'), info, imports, KEPT_NOTES_MARKER));
    console.log("wrote f)'s section of RESULTS.md");
  }
}

/** h): 1,000 systems' fronters changing at once, against the fake SimplyPlural and PluralKit (see fronting.js). */
async function frontingSection() {
  const result = await attempt(async () => frontingWorkload({ quick }));
  return { result, verdict: result.error ? 'MISS' : result.verdict };
}

function printFronting(fronting) {
  console.log(`\n${fronting.result.error ? `h) fronting not run: ${fronting.result.error}   MISS` : frontingReport(fronting.result)}`);
}

/** `--only fronting`: h) alone; `--write-results` replaces h)'s section of RESULTS.md and leaves the others as they were. */
async function mainFrontingOnly(info) {
  const fronting = await frontingSection();
  printFronting(fronting);
  if (fronting.result.error) process.exitCode = 1;
  if (process.argv.includes('--write-results')) {
    const file = path.join(__dirname, 'RESULTS.md');
    fs.writeFileSync(file, replaceFrontingSection(fs.readFileSync(file, 'utf8'), info, fronting, KEPT_NOTES_MARKER));
    console.log("wrote h)'s section of RESULTS.md");
  }
}

/** g): 5,000 presence sockets, 500 status changes/s and 20,000 heartbeats/s, in processes of their own (see presence.js). */
async function presenceSection() {
  const result = await attempt(() => presenceWorkload());
  return { result, verdict: result.error ? 'MISS' : result.verdict };
}

function printPresence(presence) {
  console.log(`\n${presence.result.error ? `g) presence not run: ${presence.result.error}   MISS` : presenceReport(presence.result)}`);
}

/** `--only presence`: g) alone; `--write-results` replaces g)'s section of RESULTS.md and leaves the others as they were. */
async function mainPresenceOnly(info) {
  const presence = await presenceSection();
  printPresence(presence);
  if (presence.result.error) process.exitCode = 1;
  if (process.argv.includes('--write-results')) {
    const file = path.join(__dirname, 'RESULTS.md');
    fs.writeFileSync(file, replacePresenceSection(fs.readFileSync(file, 'utf8'), info, presence, KEPT_NOTES_MARKER));
    console.log("wrote g)'s section of RESULTS.md");
  }
}

/** `--only wins-sync`: e) alone; `--write-results` replaces e)'s section of RESULTS.md and leaves a) to d) as they were. */
async function mainWinsSyncOnly(info) {
  const winsSync = await winsSyncSection();
  printWinsSync(winsSync);
  if (winsSync.result.error) process.exitCode = 1;
  if (process.argv.includes('--write-results')) {
    const file = path.join(__dirname, 'RESULTS.md');
    fs.writeFileSync(file, replaceWinsSyncSection(fs.readFileSync(file, 'utf8'), info, winsSync, KEPT_NOTES_MARKER));
    console.log("wrote e)'s section of RESULTS.md");
  }
}

/** What follows the marker in the current RESULTS.md (the analysis), kept across rewrites. */
function keptNotes(file) {
  if (!fs.existsSync(file)) return '';
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf(KEPT_NOTES_MARKER);
  return at < 0 ? '' : text.slice(at + KEPT_NOTES_MARKER.length + 1);
}

async function main() {
  const info = machine();
  console.log(`Herald benchmarks${quick ? ' (--quick: a tenth of the counts, not comparable)' : ''}`);
  console.log(`  ${info.date} · ${info.cpu} · ${info.memory} · node ${info.node} · load average ${info.load}`);
  console.log(`  raw + Herald: ${info.rawAndHerald}`);
  console.log(`  Emmett: ${info.emmett}`);
  if (onlyWinsSync) return mainWinsSyncOnly(info);
  if (onlyImports) return mainImportsOnly(info);
  if (onlyFronting) return mainFrontingOnly(info);
  if (onlyPresence) return mainPresenceOnly(info);
  const herald = loadHerald();
  if (herald.missing) console.log(`  Herald: ${herald.missing}`);

  const workloads = [];
  console.log(`  each figure: the median of ${ROUNDS} timed rounds; per round the three systems run in turn`);
  for (const workload of appendAndReadPlans(herald)) {
    const results = await workload.run(workload.rows);
    workload.rows.forEach((row, index) => (row.result = results[index]));
    workloads.push(judge(workload));
    printWorkload(workload);
  }
  const rebuild = await rebuildSection(herald);
  printRebuild(rebuild);
  const winsSync = await winsSyncSection();
  printWinsSync(winsSync);
  const imports = await importsSection();
  printImports(imports);
  const fronting = await frontingSection();
  printFronting(fronting);
  const presence = await presenceSection();
  printPresence(presence);

  console.log(`\nHerald against its targets: ${verdictLine(workloads, rebuild, winsSync, imports)}  g) ${presence.verdict}  h) ${fronting.verdict}`);
  const failed =
    workloads.some((workload) => workload.rows.some((row) => row.result.error)) || rebuild.result.error || winsSync.result.error || imports.result.error;
  if (failed || fronting.result.error || presence.result.error) process.exitCode = 1;
  if (process.argv.includes('--write-results')) {
    const file = path.join(__dirname, 'RESULTS.md');
    const results = resultsMarkdown(info, workloads, rebuild, winsSync, imports, keptNotes(file));
    // g) then h), in the order of their letters.
    fs.writeFileSync(file, replaceFrontingSection(replacePresenceSection(results, info, presence, KEPT_NOTES_MARKER), info, fronting, KEPT_NOTES_MARKER));
    console.log('wrote RESULTS.md');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
