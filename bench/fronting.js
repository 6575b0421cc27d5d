'use strict';
// Workload h), issue 4 bar 5: 1,000 systems change fronters at once in the fake SimplyPlural and
// Herald posts their PluralKit switches against the fake PluralKit (50 ms latency, 3 writes/s and
// 10 reads/s per token, 429 beyond); then one system flaps 10 times in 2 s. Herald runs in this
// process from the compiled dist/; the fakes from test/fakes run in a process of their own
// (fronting-upstreams.js), driven over IPC.
//   node fronting.js          runs it and prints the figures
//   node fronting.js --json   runs it and prints its result as JSON (what run.js reads)
//   --quick                   100 systems instead of 1,000 (smoke test; the throughput is not comparable)
// Seeding goes through the app (ChangeFrontingSettingsCommand, what PATCH /api/v1/me/fronting runs).
// The bar's changes go through the fake SimplyPlural, whose websocket pushes them to Herald's
// watchers; rounds of the poster alone append FrontersObserved straight to the log instead.
const { fork } = require('node:child_process');
const path = require('node:path');
const { randomBytes, randomUUID } = require('node:crypto');
const { tempDir } = require('./harness');
const { rootRequire, loadBuiltHerald, startHeraldApp, sleep, inPool, until, resultOfChild, runMain, printResult, resultsSectionMarkers, resultsSectionLines, replaceResultsSection } = require('./feature-bench');

const SYSTEMS = process.argv.includes('--quick') ? 100 : 1_000;
const PLURALKIT = { latencyMs: 50, writesPerSecond: 3, readsPerSecond: 10 };
/**
 * The coalescing window: longer than the 200 ms between the flapping system's changes, so its burst
 * ends in one switch, and short enough that a real switch is not held long (the default is 2 s / 10 s).
 */
const COALESCING = { quietMs: 500, maxDelayMs: 2_500 };
/** SimplyPlural pushes of one change are read once; short, so each flap reaches the log as its own observation. */
const SIMPLYPLURAL_DEBOUNCE_MS = 50;
/** The bar: switches per second, first FrontersObserved of the batch to its last SwitchPosted. */
const TARGET_PER_SECOND = 200;
/** The flapping system changes fronters this often (FLAP_SETS: 10 changes in 1.8 s). */
const FLAP_EVERY_MS = 200;
/** Settings changes in flight at once while seeding. */
const SEEDS_IN_FLIGHT = 32;
const OUTCOME_TYPES = ['FrontersObserved', 'SwitchPosted', 'PluralKitAlreadyInSync', 'SwitchPostFailed', 'TokenRejected'];

/** The bench system's members: a SimplyPlural document id and the PluralKit id it links to. */
const MEMBERS = ['alpha', 'bravo', 'charl', 'delta', 'echoo'].map((pluralKitId, index) => ({
  id: `6650aa0000000000000be${String(index + 1).padStart(3, '0')}`,
  name: pluralKitId,
  pluralKitId,
}));
const [ALPHA, BRAVO, CHARLIE, DELTA, ECHO] = MEMBERS;
const BEFORE = [ALPHA];
/**
 * The fronters each round changes every batch system to, rounds through SimplyPlural and rounds of
 * the poster alone taking turns; each set differs from the one before, so every round needs a switch.
 */
const ROUND_SETS = [[BRAVO, CHARLIE], [CHARLIE, DELTA], [DELTA, ECHO], [ECHO, ALPHA], [ALPHA, CHARLIE], [BRAVO, DELTA]];
/** Rounds of each kind; the figures are those of the median round (the machine is shared: one round can be a third off). */
const ROUNDS = 3;
/** The flapping system's fronters after each change; the last one is what PluralKit must end with. */
const FLAP_SETS = [[BRAVO], [ALPHA, CHARLIE], [DELTA], [], [ALPHA, BRAVO], [ECHO], [CHARLIE, DELTA], [BRAVO], [ALPHA, ECHO], [DELTA, BRAVO]];

/** Herald's compiled server and what the bench drives it with. */
function loadHeraldApp() {
  const { createHeraldApp, libs: { core, eventstore, fronting } } = loadBuiltHerald(['core', 'eventstore', 'fronting']);
  return {
    createHeraldApp,
    loadConfig: core.loadConfig,
    CommandRunner: core.CommandRunner,
    streams: core.streams,
    newCorrelationId: core.newCorrelationId,
    EVENT_STORE: eventstore.EVENT_STORE,
    ChangeFrontingSettingsCommand: fronting.ChangeFrontingSettingsCommand,
    systemDecider: fronting.systemDecider,
    CommandBus: rootRequire('@nestjs/cqrs').CommandBus,
  };
}

/** Tokens shaped like the real ones (64 characters of base64; PluralKit's legacy tokens are as long). */
const token = () => randomBytes(48).toString('base64');
const pluralKitIds = (members) => members.map((member) => member.pluralKitId);
const memberIds = (members) => members.map((member) => member.id);

function simplyPluralMembers() {
  return MEMBERS.map((member) => ({ exists: true, id: member.id, content: { name: member.name, pkId: member.pluralKitId, archived: false } }));
}

/** The fakes' process, and a promise-returning call into it. */
async function startUpstreams() {
  const child = fork(path.join(__dirname, 'fronting-upstreams.js'), [JSON.stringify({ pluralKit: PLURALKIT })], {
    // Its output goes to stderr: stdout carries this process's JSON.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const pending = new Map();
  let nextId = 0;
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const error = new Error(`the fake upstreams exited with ${code}`);
      reject(error);
      for (const call of pending.values()) call.reject(error);
      pending.clear();
    });
    child.on('message', (message) => {
      if (message.ready) return resolve();
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) call?.reject(new Error(`fake upstreams: ${message.error}`));
      else call?.resolve(message.result);
    });
  });
  await ready;
  const call = (method, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, method, args });
    });
  return { call, stop: () => call('stop').catch(() => child.kill()) };
}

async function runInProcess() {
  const herald = loadHeraldApp();
  const temp = tempDir('fronting');
  const upstreams = await startUpstreams();
  let app;
  try {
    const urls = await upstreams.call('urls');
    app = await startHeraldApp(herald, temp.dir, {
      SIMPLYPLURAL_API_URL: urls.simplyPlural,
      PLURALKIT_API_URL: urls.pluralKit,
      SIMPLYPLURAL_DEBOUNCE_MS: String(SIMPLYPLURAL_DEBOUNCE_MS),
      PLURALKIT_COALESCE_QUIET_MS: String(COALESCING.quietMs),
      PLURALKIT_COALESCE_MAX_DELAY_MS: String(COALESCING.maxDelayMs),
    });
    const bus = app.get(herald.CommandBus);
    const store = app.get(herald.EVENT_STORE);

    // SYSTEMS systems for the batch, and one more that flaps.
    const systems = Array.from({ length: SYSTEMS + 1 }, (_, n) => ({
      userId: `3${String(n + 1).padStart(17, '0')}`,
      simplyPluralToken: token(),
      pluralKitToken: token(),
    }));
    const seeding = Date.now();
    await upstreams.call('addSystems', {
      systems: systems.map((system) => ({
        ...system,
        simplyPlural: { members: simplyPluralMembers(), fronters: [], customFronts: [] },
        fronters: memberIds(BEFORE),
        pluralKit: {
          members: pluralKitIds(MEMBERS),
          switches: [{ id: randomUUID(), timestamp: new Date(Date.now() - 3_600_000).toISOString(), members: pluralKitIds(BEFORE) }],
        },
      })),
    });
    const context = { source: 'cli', correlationId: 'bench-fronting', actorId: 'bench' };
    await inPool(systems, SEEDS_IN_FLIGHT, (system) =>
      bus.execute(
        new herald.ChangeFrontingSettingsCommand(
          system.userId,
          { simplyPluralToken: system.simplyPluralToken, pluralKitToken: system.pluralKitToken, enableToPluralKit: true },
          context,
        ),
      ),
    );
    // Every watcher is on the websocket and every first observation is answered (PluralKit already showed it).
    await until('every watcher authenticated', async () => (await upstreams.call('authenticatedSockets')) === systems.length, 120_000, 100);
    await until('every first observation answered', async () => (await outcomesAfter(store, 0)).answeredSystems === systems.length, 120_000, 250);
    const seeded = { seconds: (Date.now() - seeding) / 1000 };
    // Let the seeding's read buckets refill, so the measured run starts from full buckets as a quiet server would.
    await sleep(1_500);

    const batchSystems = systems.slice(0, SYSTEMS);
    const runner = app.get(herald.CommandRunner);
    const changes = {
      // The path: SimplyPlural pushes each change on the system's websocket.
      simplyPlural: (members) =>
        upstreams.call('setFronters', { tokens: batchSystems.map((system) => system.simplyPluralToken), memberIds: memberIds(members) }),
      // SimplyPlural and the watchers left out: what the poster does alone.
      appended: (members) => {
        const fronters = members.map((member) => ({ id: member.id, name: member.name, kind: 'member', pluralKitId: member.pluralKitId }));
        return Promise.all(
          batchSystems.map((system) =>
            runner.run({
              streamId: herald.streams.system(system.userId),
              decider: herald.systemDecider,
              command: { type: 'ObserveFronters', fronters },
              context: { source: 'system', correlationId: herald.newCorrelationId(), userId: system.userId },
            }),
          ),
        );
      },
    };
    const rounds = { simplyPlural: [], appended: [] };
    for (const [index, members] of ROUND_SETS.slice(0, 2 * ROUNDS).entries()) {
      const kind = index % 2 === 0 ? 'simplyPlural' : 'appended';
      rounds[kind].push(await measuredBatch({ systems: batchSystems, wanted: members, change: () => changes[kind](members), upstreams, store }));
      await sleep(1_000);
    }
    const flap = await measuredFlap({ system: systems[SYSTEMS], upstreams, store });
    return { systems: SYSTEMS, pluralKit: PLURALKIT, coalescing: COALESCING, simplyPluralDebounceMs: SIMPLYPLURAL_DEBOUNCE_MS, seeded, rounds, flap };
  } finally {
    await app?.close();
    await upstreams.stop();
    temp.remove();
  }
}

/** Every system's fronters change in one go (`change`); measured until each switch is recorded. */
async function measuredBatch({ systems, wanted: wantedMembers, change, upstreams, store }) {
  const afterPosition = (await store.headPosition()) ?? 0;
  const since = await upstreams.call('pluralKitRequestCount');
  const cpuBefore = process.cpuUsage();
  const upstreamsCpuBefore = await upstreams.call('cpuUsage');
  const triggeredAt = Date.now();
  await change();
  // The fake's log is cheap to poll; the event log is read once every switch reached PluralKit. A
  // switch that never comes is not an error here: the checks below report it (a MISS).
  const settled = async () => {
    await until('every switch posted', async () => (await upstreams.call('switchesCreatedSince', { since })) >= systems.length, 60_000, 50);
    await until('every switch recorded', async () => (await outcomesAfter(store, afterPosition)).byType.SwitchPosted >= systems.length, 30_000, 50);
  };
  await settled().catch((error) => console.error(`h) fronting: ${error.message}`));
  const wallSeconds = (Date.now() - triggeredAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const upstreamsCpu = await upstreams.call('cpuUsage');
  await sleep(COALESCING.maxDelayMs + 500); // anything late (a double, a failure) would show up by now
  const final = await outcomesAfter(store, afterPosition);
  const requests = await upstreams.call('pluralKitRequestsSince', { since });
  const shown = await upstreams.call('currentFronters', { tokens: systems.map((system) => system.pluralKitToken) });

  const wanted = JSON.stringify(pluralKitIds(wantedMembers));
  const latencies = [];
  const stages = { toRead: [], toWrite: [], toRecorded: [] };
  const requestsOf = new Map(systems.map((system) => [system.pluralKitToken, []]));
  for (const request of requests) requestsOf.get(request.token)?.push(request);
  const problems = [];
  let firstObserved = Number.POSITIVE_INFINITY;
  let lastObserved = 0;
  let lastPosted = 0;
  for (const [index, system] of systems.entries()) {
    const events = final.bySystem.get(system.userId) ?? [];
    const observations = events.filter((event) => event.type === 'FrontersObserved');
    const posted = events.filter((event) => event.type === 'SwitchPosted');
    const others = events.filter((event) => event.type !== 'FrontersObserved' && event.type !== 'SwitchPosted');
    const answered = posted.find((event) => event.data.observedPosition === observations.at(-1)?.position);
    if (observations.length === 0 || posted.length !== 1 || !answered || others.length > 0) {
      problems.push(`${system.userId}: ${events.map((event) => event.type).join(', ') || 'no event'}`);
      continue;
    }
    if (JSON.stringify(shown[index]) !== wanted) {
      problems.push(`${system.userId}: PluralKit shows ${JSON.stringify(shown[index])}`);
      continue;
    }
    const observedAt = Date.parse(observations[0].metadata.occurredAt);
    const lastObservedAt = Date.parse(observations.at(-1).metadata.occurredAt);
    const postedAt = Date.parse(answered.metadata.occurredAt);
    firstObserved = Math.min(firstObserved, observedAt);
    lastObserved = Math.max(lastObserved, observedAt);
    lastPosted = Math.max(lastPosted, postedAt);
    latencies.push(postedAt - lastObservedAt);
    const read = requestsOf.get(system.pluralKitToken).find((request) => request.method === 'GET');
    const write = requestsOf.get(system.pluralKitToken).find((request) => request.method === 'POST');
    if (read && write) {
      stages.toRead.push(read.at - lastObservedAt);
      stages.toWrite.push(write.at - read.at);
      stages.toRecorded.push(postedAt - write.at);
    }
  }
  const spanSeconds = (lastPosted - firstObserved) / 1000;
  const switchesPosted = systems.length - problems.length;
  const sorted = (values) => [...values].sort((a, b) => a - b);
  const sortedLatencies = sorted(latencies);
  return {
    systems: systems.length,
    switchesPosted,
    spanSeconds,
    perSecond: switchesPosted / spanSeconds,
    observationSpreadSeconds: (lastObserved - firstObserved) / 1000,
    latencyMs: {
      min: sortedLatencies[0],
      p50: quantile(sortedLatencies, 0.5),
      p95: quantile(sortedLatencies, 0.95),
      max: sortedLatencies.at(-1),
    },
    // Medians of each switch's stages, by the fake's arrival times: observed → fronters read, → switch post, → SwitchPosted.
    stagesMs: {
      toRead: quantile(sorted(stages.toRead), 0.5),
      toWrite: quantile(sorted(stages.toWrite), 0.5),
      toRecorded: quantile(sorted(stages.toRecorded), 0.5),
    },
    triggerToRecordedSeconds: wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    upstreamsCpuSeconds: (upstreamsCpu.user + upstreamsCpu.system - upstreamsCpuBefore.user - upstreamsCpuBefore.system) / 1e6,
    events: final.byType,
    pluralKit: requestCounts(requests),
    problems: problems.slice(0, 10),
    problemCount: problems.length,
  };
}

/** One system goes through FLAP_SETS, FLAP_EVERY_MS apart; measured until PluralKit shows the last set and stays so. */
async function measuredFlap({ system, upstreams, store }) {
  const afterPosition = (await store.headPosition()) ?? 0;
  const since = await upstreams.call('pluralKitRequestCount');
  const tokens = [system.simplyPluralToken];
  const startedAt = Date.now();
  for (const [index, fronters] of FLAP_SETS.entries()) {
    if (index > 0) await sleep(FLAP_EVERY_MS);
    await upstreams.call('setFronters', { tokens, memberIds: memberIds(fronters) });
  }
  const lastChangeAt = Date.now();
  const wanted = pluralKitIds(FLAP_SETS.at(-1));
  const showsFinal = async () =>
    JSON.stringify((await upstreams.call('currentFronters', { tokens: [system.pluralKitToken] }))[0]) === JSON.stringify(wanted);
  // Never showing them is a MISS reported below, not a failed run.
  const shown = await until('PluralKit shows the final fronters', showsFinal, 30_000, 10).then(() => true, () => false);
  const settledSeconds = shown ? (Date.now() - lastChangeAt) / 1000 : null;
  await sleep(COALESCING.maxDelayMs + 1_000); // a late switch to an older set would show up by now
  const outcomes = await outcomesAfter(store, afterPosition);
  const requests = (await upstreams.call('pluralKitRequestsSince', { since })).filter((request) => request.token === system.pluralKitToken);
  return {
    changes: FLAP_SETS.length,
    changedOverSeconds: (lastChangeAt - startedAt) / 1000,
    settledSeconds,
    endsWithFinal: await showsFinal(),
    wanted,
    events: outcomes.byType,
    pluralKit: requestCounts(requests),
  };
}

/** Fronting events after a log position, counted by type and grouped by system. */
async function outcomesAfter(store, afterPosition) {
  const byType = Object.fromEntries(OUTCOME_TYPES.map((type) => [type, 0]));
  const bySystem = new Map();
  for await (const page of store.scanAll({ afterPosition, filter: { streamPrefixes: ['system-'], eventTypes: OUTCOME_TYPES } })) {
    for (const event of page) {
      byType[event.type] += 1;
      const userId = event.streamId.slice('system-'.length);
      if (!bySystem.has(userId)) bySystem.set(userId, []);
      bySystem.get(userId).push(event);
    }
  }
  // A system is answered when its newest observation has an outcome at or after it.
  let answeredSystems = 0;
  for (const events of bySystem.values()) {
    const last = events.filter((event) => event.type === 'FrontersObserved').at(-1);
    if (last && events.some((event) => event.type !== 'FrontersObserved' && event.data.observedPosition >= last.position)) answeredSystems += 1;
  }
  return { byType, bySystem, answeredSystems };
}

function requestCounts(requests) {
  const count = (filter) => requests.filter(filter).length;
  return {
    reads: count((request) => request.method === 'GET'),
    writes: count((request) => request.method === 'POST'),
    switchesCreated: count((request) => request.method === 'POST' && request.status === 200),
    tooManyRequests: count((request) => request.status === 429),
    otherErrors: count((request) => request.status >= 400 && request.status !== 429),
  };
}

function quantile(sorted, q) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Adds the ratio to the target and the verdicts to a result. */
function judge(result) {
  const { rounds, flap } = result;
  const batch = medianRound(rounds.simplyPlural);
  const appended = medianRound(rounds.appended);
  const everyRound = [...rounds.simplyPlural, ...rounds.appended];
  const complete = (run) => run.problemCount === 0 && run.switchesPosted === result.systems && run.pluralKit.switchesCreated === result.systems;
  const checks = {
    everySwitch: everyRound.every(complete),
    throughput: batch.perSecond >= TARGET_PER_SECOND,
    no429: [...everyRound, flap].every((run) => run.pluralKit.tooManyRequests === 0),
    flapEndsRight: flap.endsWithFinal && flap.events.SwitchPostFailed === 0,
  };
  return {
    ...result,
    batch,
    appended,
    target: TARGET_PER_SECOND,
    ratio: batch.perSecond / TARGET_PER_SECOND,
    checks,
    verdict: Object.values(checks).every(Boolean) ? 'PASS' : 'MISS',
  };
}

/** The round of median throughput. */
function medianRound(rounds) {
  return [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)];
}

const roundRates = (rounds) => rounds.map((run) => run.perSecond.toFixed(0)).join(', ');

const verdict = (ok) => (ok ? 'PASS' : 'MISS');

function describeBatch(run, quietMs) {
  return [
    `${run.switchesPosted} of ${run.systems} switches posted and recorded over ${run.spanSeconds.toFixed(2)} s (first FrontersObserved to last SwitchPosted): ` +
      `${run.perSecond.toFixed(0)} switches/s, ${(run.perSecond / TARGET_PER_SECOND).toFixed(2)} × the ${TARGET_PER_SECOND}/s target`,
    `observations recorded over ${run.observationSpreadSeconds.toFixed(2)} s; FrontersObserved → SwitchPosted per switch: min ${run.latencyMs.min} ms, ` +
      `median ${run.latencyMs.p50} ms, p95 ${run.latencyMs.p95} ms, max ${run.latencyMs.max} ms (each includes the ${quietMs} ms quiet window); ` +
      `medians of its stages: to PluralKit's fronters read ${run.stagesMs.toRead} ms, to the switch post ${run.stagesMs.toWrite} ms, to SwitchPosted ${run.stagesMs.toRecorded} ms`,
    `change to the last switch recorded: ${run.triggerToRecordedSeconds.toFixed(2)} s wall; CPU ${run.cpuSeconds.toFixed(1)} s Herald, ${run.upstreamsCpuSeconds.toFixed(1)} s the fakes' process`,
    `PluralKit: ${run.pluralKit.reads} reads, ${run.pluralKit.writes} writes (${run.pluralKit.switchesCreated} switches created), ${run.pluralKit.tooManyRequests} × 429, ` +
      `${run.pluralKit.otherErrors} other errors; log: ${formatCounts(run.events)}`,
  ];
}

function settledAfter(flap) {
  return flap.settledSeconds === null ? 'never (30 s)' : `${flap.settledSeconds.toFixed(2)} s after the last change`;
}

/** What went wrong in any of the rounds, for the first few systems. */
function problemsOf(rounds) {
  return rounds.flatMap((run) => run.problems).slice(0, 10);
}

const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : noun.endsWith('h') ? 'es' : 's'}`;

function frontingReport(result) {
  const { batch, appended, rounds, flap } = result;
  const quietMs = result.coalescing.quietMs;
  const lines = [
    `h) fronting: ${result.systems.toLocaleString('en-US')} systems change fronters at once; fake PluralKit ${result.pluralKit.latencyMs} ms latency, ` +
      `${result.pluralKit.writesPerSecond} writes/s and ${result.pluralKit.readsPerSecond} reads/s per token; coalescing ${quietMs} ms quiet / ` +
      `${result.coalescing.maxDelayMs} ms at most; SimplyPlural debounce ${result.simplyPluralDebounceMs} ms`,
    `  seeding (untimed): ${result.systems + 1} systems through ChangeFrontingSettingsCommand, each watcher on the websocket and its first observation answered, in ${result.seeded.seconds.toFixed(1)} s`,
    `  the change pushed by SimplyPlural's websocket (the bar); rounds: ${roundRates(rounds.simplyPlural)} switches/s; the median round:`,
    ...describeBatch(batch, quietMs).map((line) => `    ${line}`),
    ...problemsOf(rounds.simplyPlural).map((problem) => `    wrong: ${problem}`),
    `  the poster alone (FrontersObserved appended to the log, SimplyPlural left out; not the bar); rounds: ${roundRates(rounds.appended)} switches/s; the median round:`,
    ...describeBatch(appended, quietMs).map((line) => `    ${line}`),
    ...problemsOf(rounds.appended).map((problem) => `    wrong: ${problem}`),
    `  flapping: ${flap.changes} changes over ${flap.changedOverSeconds.toFixed(2)} s → ${flap.events.FrontersObserved} FrontersObserved, ${plural(flap.pluralKit.switchesCreated, 'switch')} posted; ` +
      `PluralKit shows the final ${JSON.stringify(flap.wanted)} ${settledAfter(flap)} and at the end: ${flap.endsWithFinal ? 'yes' : 'NO'}; ` +
      `PluralKit ${plural(flap.pluralKit.reads, 'read')}, ${plural(flap.pluralKit.writes, 'write')}, ${flap.pluralKit.tooManyRequests} × 429`,
    `  bar: every switch posted ${verdict(result.checks.everySwitch)}; ≥ ${TARGET_PER_SECOND} switches/s ${verdict(result.checks.throughput)}; ` +
      `no 429 ${verdict(result.checks.no429)}; flapping ends on the final fronters ${verdict(result.checks.flapEndsRight)}`,
  ];
  return lines.join('\n');
}

function formatCounts(counts) {
  return Object.entries(counts)
    .map(([type, count]) => `${count} ${type}`)
    .join(', ');
}

/** Runs the workload in a child process (its own heap and event loop) and returns its judged figures. */
function frontingWorkload({ quick = false } = {}) {
  return judge(resultOfChild(__filename, { quick }));
}

if (require.main === module) runMain(async () => printResult(await runInProcess(), (result) => frontingReport(judge(result))));

const SECTION = resultsSectionMarkers('h', 'fronting');

/** h)'s section of RESULTS.md. */
function frontingMarkdown(info, section) {
  return resultsSectionLines(SECTION, '## h) fronting: SimplyPlural changes become PluralKit switches (issue 4, bar 5)', info, section, frontingSectionBody);
}

/** What h)'s section says under its heading. */
function frontingSectionBody(result, { pass, machine }) {
  const { batch, appended, rounds, flap, coalescing } = result;
  const row = (name, run) =>
    `| ${name} | ${run.switchesPosted} / ${run.systems} | ${run.spanSeconds.toFixed(2)} s | ${run.perSecond.toFixed(0)} | ${(run.perSecond / TARGET_PER_SECOND).toFixed(2)} | ` +
    `${run.observationSpreadSeconds.toFixed(2)} s | ${run.latencyMs.p50} / ${run.latencyMs.p95} / ${run.latencyMs.max} ms | ` +
    `${run.stagesMs.toRead} / ${run.stagesMs.toWrite} / ${run.stagesMs.toRecorded} ms | ${run.cpuSeconds.toFixed(1)} s / ${run.upstreamsCpuSeconds.toFixed(1)} s | ` +
    `${run.pluralKit.reads} / ${run.pluralKit.writes} | ${run.pluralKit.tooManyRequests} |`;
  return [
    `${result.systems.toLocaleString('en-US')} systems change fronters at once; Herald from \`dist/\` in the bench's child process (SQLite stores), the fake SimplyPlural and the fake`,
    `PluralKit (${result.pluralKit.latencyMs} ms latency, ${result.pluralKit.writesPerSecond} writes/s and ${result.pluralKit.readsPerSecond} reads/s per token, 429 beyond) in a process of their own;`,
    `coalescing window \`PLURALKIT_COALESCE_QUIET_MS=${coalescing.quietMs}\`, \`PLURALKIT_COALESCE_MAX_DELAY_MS=${coalescing.maxDelayMs}\`; \`SIMPLYPLURAL_DEBOUNCE_MS=${result.simplyPluralDebounceMs}\`.`,
    `Throughput: switches recorded over the time from the batch's first \`FrontersObserved\` to its last \`SwitchPosted\` (their \`occurredAt\`);`,
    `${ROUNDS} rounds of each kind, taking turns; each row is the round of median throughput.`,
    '',
    ...machine,
    `- seeding (untimed): ${(result.systems + 1).toLocaleString('en-US')} systems through \`ChangeFrontingSettingsCommand\` (what \`PATCH /api/v1/me/fronting\` runs), ` +
      `each watcher on the websocket and its first observation answered (PluralKit already showed it), in ${result.seeded.seconds.toFixed(1)} s`,
    '',
    `| run | switches posted | first observed → last posted | switches/s | × ${TARGET_PER_SECOND}/s | observations spread over | observed → posted, median / p95 / max | median stages: → PK read / → PK post / → recorded | CPU Herald / fakes | PK reads / writes | 429s |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('**the bar**: each change pushed by SimplyPlural\'s websocket, read by Herald\'s watcher', batch),
    row('the poster alone: `FrontersObserved` appended straight to the log (no SimplyPlural)', appended),
    '',
    `Rounds, in switches/s: through SimplyPlural ${roundRates(rounds.simplyPlural)}; the poster alone ${roundRates(rounds.appended)}.`,
    ...[...problemsOf(rounds.simplyPlural), ...problemsOf(rounds.appended)].map((problem) => `- wrong: ${problem}`),
    '',
    `Flapping: one system changed fronters ${flap.changes} times in ${flap.changedOverSeconds.toFixed(2)} s (${FLAP_EVERY_MS} ms apart, through SimplyPlural): ` +
      `${flap.events.FrontersObserved} \`FrontersObserved\`, ${plural(flap.pluralKit.switchesCreated, 'switch')} posted (PluralKit: ${plural(flap.pluralKit.reads, 'read')}, ${plural(flap.pluralKit.writes, 'write')}, ` +
      `${flap.pluralKit.tooManyRequests} × 429); PluralKit showed the final \`${JSON.stringify(flap.wanted)}\` ${settledAfter(flap)}, ` +
      `and ${flap.endsWithFinal ? 'still did' : '**did not**'} ${((coalescing.maxDelayMs + 1000) / 1000).toFixed(1)} s later.`,
    '',
    `Bar: every switch posted (every round) ${pass(result.checks.everySwitch)}; ≥ ${TARGET_PER_SECOND} switches/s through SimplyPlural (median round) ${pass(result.checks.throughput)} ` +
      `(${result.ratio.toFixed(2)} ×); no 429 ${pass(result.checks.no429)}; the flapping system ends on its final fronters ${pass(result.checks.flapEndsRight)}.`,
  ];
}

/** RESULTS.md with h)'s section (and its verdict in the header line) replaced, or added above the kept notes. */
function replaceFrontingSection(text, info, section, keptNotesMarker) {
  return replaceResultsSection(text, SECTION, section.verdict, frontingMarkdown(info, section).join('\n'), keptNotesMarker);
}

module.exports = { frontingWorkload, frontingReport, frontingMarkdown, replaceFrontingSection };
