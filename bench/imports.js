'use strict';
// Workload f), issue 6 bar 6: the hourly import round of 1,000 connected Fitbit users (the last 7
// days each) against the fake Fitbit (30 ms latency on every answer, 150 requests per user and
// hour), with Herald in this process from the compiled dist/ at its default settings and the fake
// from test/fakes (TypeScript, loaded through test/support/register-ts.js).
//   node imports.js          runs it and prints the figures
//   node imports.js --json   runs it and prints its result as JSON (what run.js reads)
//   --quick                  100 users instead of 1,000 (smoke test)
// Seeding connects every user through Herald's OAuth flow (begin, the fake's authorize page,
// callback: code exchange, profile, IntegrationConnected): untimed.
const { tempDir } = require('./harness');
const { libBarrel, loadBuiltHerald, startHeraldApp, requireFake, inPool, until, resultOfChild, runMain, printResult, resultsSectionMarkers, resultsSectionLines, replaceResultsSection } = require('./feature-bench');

const USERS = process.argv.includes('--quick') ? 100 : 1000;
const FITBIT = { latencyMs: 30, hourlyLimit: 150 };
/** Tokens live 8 hours and rounds come hourly: every eighth user's tokens are due for a refresh in a round. */
const REFRESH_EVERY = 8;
/** Lifetime given to those users' tokens: inside Herald's 5-minute refresh margin. */
const EXPIRING_LIFETIME_SECONDS = 240;
const TOKEN_LIFETIME_SECONDS = 28_800;
const CONNECTS_IN_FLIGHT = 32;
/** Six fields, seven days: what a first round imports per user (the fake has every value). */
const VALUES_PER_USER = 42;
/** The bar: an hourly round in under a minute. */
const BAR_SECONDS = 60;
const HOUR_MS = 3_600_000;

/** Herald's compiled server and what the bench drives. */
function loadHeraldApp() {
  const { createHeraldApp, libs: { core, eventstore, imports } } = loadBuiltHerald(['core', 'eventstore', 'imports']);
  return {
    createHeraldApp,
    loadConfig: core.loadConfig,
    CLOCK: core.CLOCK,
    EVENT_STORE: eventstore.EVENT_STORE,
    AuthorizationFlow: imports.AuthorizationFlow,
    SyncScheduler: imports.SyncScheduler,
  };
}

const fitbitUser = (n) => `FB${String(n).padStart(5, '0')}`;
const heraldUser = (n) => `bench-user-${n}`;

async function runInProcess() {
  const { FitbitFake, FAKE_CLIENT } = requireFake('fitbit');
  const herald = loadHeraldApp();

  const temp = tempDir('imports');
  const fitbit = await FitbitFake.start(FITBIT);
  let app;
  try {
    app = await startHeraldApp(herald, temp.dir, {
      HERALD_PUBLIC_URL: 'http://herald.bench',
      FITBIT_API_URL: fitbit.url,
      FITBIT_AUTH_URL: fitbit.url,
      FITBIT_CLIENT_ID: FAKE_CLIENT.clientId,
      FITBIT_CLIENT_SECRET: FAKE_CLIENT.clientSecret,
    });
    const flow = app.get(herald.AuthorizationFlow);
    const scheduler = app.get(herald.SyncScheduler);
    const eventStore = app.get(herald.EVENT_STORE);
    const clock = app.get(herald.CLOCK);

    const seeding = Date.now();
    const users = Array.from({ length: USERS }, (_, i) => i + 1);
    for (const n of users) fitbit.addUser(fitbitUser(n), { generated: true });
    const lasting = users.filter((n) => n % REFRESH_EVERY !== 0);
    const expiring = users.filter((n) => n % REFRESH_EVERY === 0);
    await inPool(lasting, CONNECTS_IN_FLIGHT, (n) => connect(flow, fitbit, n));
    fitbit.setAccessTokenLifetime(EXPIRING_LIFETIME_SECONDS);
    await inPool(expiring, CONNECTS_IN_FLIGHT, (n) => connect(flow, fitbit, n));
    fitbit.setAccessTokenLifetime(TOKEN_LIFETIME_SECONDS);
    await until('the integrations are indexed', async () => (await scheduledIntegrations(app)) === USERS, 60_000, 50);
    const seeded = { seconds: (Date.now() - seeding) / 1000, fitbitRequests: fitbit.requests.length };

    const first = await measuredRound({ scheduler, fitbit, eventStore, users });
    // An hour later: the same window, every value already imported.
    const systemNow = clock.now;
    clock.now = () => new Date(systemNow.call(clock).getTime() + HOUR_MS);
    const second = await measuredRound({ scheduler, fitbit, eventStore, users });
    return { users: USERS, fitbit: FITBIT, expiringUsers: expiring.length, seeded, first, second };
  } finally {
    await app?.close();
    await fitbit.stop();
    temp.remove();
  }
}

/** One user through Herald's OAuth flow: begin, the fake's authorize page (as that Fitbit user), the callback. */
async function connect(flow, fitbit, n) {
  const start = await flow.begin(heraldUser(n), 'fitbit');
  const state = new URL(start.redirectUrl).searchParams.get('state');
  fitbit.nextAuthorization({ userId: fitbitUser(n) }, state);
  const authorized = await fetch(start.redirectUrl, { redirect: 'manual' });
  const back = new URL(authorized.headers.get('location'));
  const outcome = await flow.complete('fitbit', { state, code: back.searchParams.get('code') }, start.cookie.value, `bench-connect-${n}`);
  if (outcome.error) throw new Error(`connecting user ${n} failed: ${outcome.error}`);
}

async function scheduledIntegrations(app) {
  const { ImportsReadModel } = require(libBarrel('imports'));
  let count = 0;
  for await (const integration of app.get(ImportsReadModel).schedulableIntegrations()) if (integration.schedulable) count += 1;
  return count;
}

/** Runs one scheduled round and reads what it did from the fake and the log. */
async function measuredRound({ scheduler, fitbit, eventStore, users }) {
  fitbit.reset();
  const headBefore = await eventStore.headPosition();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const report = await scheduler.runRound();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const appended = await eventStore.readAll({ fromPosition: (headBefore ?? 0) + 1, maxCount: 100_000 });
  const imported = appended.filter((event) => event.type === 'DailyMetricsImported');
  const perUser = users.map((n) => fitbit.requestsThisHour(fitbitUser(n)));
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    report,
    fitbitRequests: fitbit.requests.length,
    dataRequests: fitbit.requests.filter((r) => r.kind !== 'token' && r.kind !== 'authorize').length,
    refreshes: fitbit.refreshCount(),
    fitbit429: fitbit.count({ status: 429 }),
    maxRequestsPerUserThisHour: Math.max(...perUser),
    eventsAppended: appended.length,
    valuesImported: imported.reduce((sum, event) => sum + event.data.days.reduce((n, day) => n + Object.keys(day.values).length, 0), 0),
  };
}

/** Adds the verdicts to a result. */
function judge(result) {
  const { first, second, users, expiringUsers } = result;
  const checks = {
    time: first.seconds < BAR_SECONDS && second.seconds < BAR_SECONDS,
    quota: [first, second].every((round) => round.fitbit429 === 0) && second.maxRequestsPerUserThisHour <= FITBIT.hourlyLimit,
    everyUser:
      [first, second].every((round) => round.report.synced === users && round.report.outcomes.ok === users) &&
      first.valuesImported === users * VALUES_PER_USER &&
      second.valuesImported === 0,
    refreshedOnce: first.refreshes === expiringUsers && second.refreshes === 0,
  };
  return { ...result, checks, verdict: Object.values(checks).every(Boolean) ? 'PASS' : 'MISS' };
}

function describeRound(round) {
  return (
    `${round.seconds.toFixed(2)} s wall (${round.cpuSeconds.toFixed(1)} s CPU), ${round.report.synced} synced ` +
    `(${Object.entries(round.report.outcomes).map(([outcome, n]) => `${n} ${outcome}`).join(', ')}), ${round.valuesImported} values imported, ` +
    `${round.eventsAppended} events; Fitbit ${round.fitbitRequests} requests (${round.refreshes} token refreshes), ${round.fitbit429} × 429, ` +
    `at most ${round.maxRequestsPerUserThisHour} of ${FITBIT.hourlyLimit} requests of one user this hour`
  );
}

function importsReport(result) {
  return [
    `f) import round: ${result.users.toLocaleString('en-US')} connected Fitbit users, 7 days each, fake Fitbit ${result.fitbit.latencyMs} ms latency, ${result.fitbit.hourlyLimit} requests per user and hour`,
    `  seeding (untimed): ${result.users} users through the OAuth flow in ${result.seeded.seconds.toFixed(1)} s (${result.seeded.fitbitRequests} Fitbit requests)`,
    `  first round (${result.expiringUsers} tokens due for a refresh, every value new): ${describeRound(result.first)}`,
    `  an hour later (nothing changed): ${describeRound(result.second)}`,
    `  bar < ${BAR_SECONDS} s: ${result.checks.time ? 'PASS' : 'MISS'}; no quota exceeded: ${result.checks.quota ? 'PASS' : 'MISS'}; ` +
      `every user synced, every value once: ${result.checks.everyUser ? 'PASS' : 'MISS'}; each due token refreshed once: ${result.checks.refreshedOnce ? 'PASS' : 'MISS'}`,
  ].join('\n');
}

/** Runs the workload in a child process (its own heap and event loop) and returns its judged figures. */
function importsWorkload({ quick = false } = {}) {
  return judge(resultOfChild(__filename, { quick }));
}

if (require.main === module) runMain(async () => printResult(await runInProcess(), (result) => importsReport(judge(result))));

const SECTION = resultsSectionMarkers('f', 'imports');

/** f)'s section of RESULTS.md. */
function importsMarkdown(info, section) {
  return resultsSectionLines(SECTION, '## f) hourly import round (issue 6, bar 6)', info, section, (result, { pass, machine }) => {
    const row = (name, round) =>
      `| ${name} | ${round.seconds.toFixed(2)} s | ${round.cpuSeconds.toFixed(1)} s | ${round.report.synced} / ${round.report.outcomes.ok ?? 0} | ` +
      `${round.valuesImported} | ${round.eventsAppended} | ${round.fitbitRequests} | ${round.refreshes} | ${round.fitbit429} | ${round.maxRequestsPerUserThisHour} |`;
    return [
      `${result.users.toLocaleString('en-US')} connected Fitbit users, the last 7 days each, against the fake Fitbit (${result.fitbit.latencyMs} ms latency on every`,
      `answer, ${result.fitbit.hourlyLimit} requests per user and hour); Herald in-process from \`dist/\` at its default settings`,
      '(`IMPORTS_SYNC_CONCURRENCY=8`), one round started with `SyncScheduler.runRound()`; wall time from its start to its end.',
      '',
      ...machine,
      `- seeding (untimed): ${result.users.toLocaleString('en-US')} users through the OAuth flow in ${result.seeded.seconds.toFixed(1)} s`,
      '',
      '| round | wall time | CPU (Herald and the fake) | synced / ok | values imported | events appended | Fitbit requests | token refreshes | 429s | most requests of one user this hour |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row(`first (${result.expiringUsers} tokens due for a refresh, every value new)`, result.first),
      row('an hour later (nothing changed)', result.second),
      '',
      `Bar: a round < ${BAR_SECONDS} s ${pass(result.checks.time)}; no user's quota exceeded (no 429) ${pass(result.checks.quota)}; ` +
        `every user synced, every value imported once ${pass(result.checks.everyUser)}; each due token refreshed exactly once ${pass(result.checks.refreshedOnce)}.`,
    ];
  });
}

/** RESULTS.md with f)'s section (and its verdict in the header line) replaced, or added above the kept notes. */
function replaceImportsSection(text, info, imports, keptNotesMarker) {
  return replaceResultsSection(text, SECTION, imports.verdict, importsMarkdown(info, imports).join('\n'), keptNotesMarker);
}

module.exports = { importsWorkload, importsReport, importsMarkdown, replaceImportsSection };
