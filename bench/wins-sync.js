'use strict';
// Workload e), issue 3 bar 7: a full wins sync of 2,000 linked members in 20 guilds against the fake
// OpenFront (20 ms latency, 100 requests/s allowed) and the fake Discord, with Herald in this
// process from the compiled dist/ (OPENFRONT_REQUESTS_PER_SECOND=100) and the fakes from test/fakes
// (TypeScript, loaded through test/support/register-ts.js).
//   node wins-sync.js          runs it and prints the figures
//   node wins-sync.js --json   runs it and prints its result as JSON (what run.js reads)
//   --quick                    10 members per guild instead of 100 (smoke test; the ratio is not comparable)
// Seeding links every member through the app (LinkPlayerCommand), as a member would: untimed.
const { tempDir } = require('./harness');
const { rootRequire, loadBuiltHerald, startHeraldApp, requireFake, sleep, inPool, until, resultOfChild, runMain, printResult, resultsSectionMarkers, resultsSectionLines, replaceResultsSection } = require('./feature-bench');

const GUILDS = 20;
const MEMBERS_PER_GUILD = process.argv.includes('--quick') ? 10 : 100;
const OPENFRONT = { latencyMs: 20, requestsPerSecond: 100 };
/** One sessions page per player in the default counting mode (sessions_with_clan): one request per member and run. */
const SESSIONS_PER_PLAYER = 60;
const CLAN_TAG = 'BNCH';
/** Threshold wins of each guild's three roles. */
const THRESHOLDS = [10, 25, 45];
/** Every tenth member wins this many more games between the seeding and the measured run. */
const NEW_WINS = 5;
/** Links in flight at once while seeding (members of different guilds and of the same guild). */
const LINKS_IN_FLIGHT = 64;
/** PlayerStats shares an answer this long even with a fresh read: each run starts after it. */
const SHARED_ANSWER_MS = 1_000;
/** The bar: the full sync takes at most this many times the rate-limit bound. */
const BAR_RATIO = 1.15;

/** Herald's compiled server and the wins commands. */
function loadHeraldApp() {
  const { createHeraldApp, libs: { core, wins } } = loadBuiltHerald(['core', 'wins']);
  return {
    createHeraldApp,
    loadConfig: core.loadConfig,
    CommandBus: rootRequire('@nestjs/cqrs').CommandBus,
    ...pick(wins, ['RegisterGuildCommand', 'ConfigureGuildCommand', 'LinkPlayerCommand', 'SyncGuildCommand', 'GuildSyncRuns']),
  };
}

function pick(object, names) {
  return Object.fromEntries(names.map((name) => [name, object[name]]));
}

const snowflake = (prefix, n) => `${prefix}${String(n).padStart(17, '0')}`;

/** The guilds and members of the bench: member m of guild g plays as `g<g>-m<m>`; wins spread low-heavy, 0 to 58. */
function plan() {
  return Array.from({ length: GUILDS }, (_, g) => ({
    guildId: snowflake('1', g + 1),
    roleIds: THRESHOLDS.map((_, t) => snowflake('3', (g + 1) * 10 + t)),
    members: Array.from({ length: MEMBERS_PER_GUILD }, (_, m) => ({
      userId: snowflake('2', (g + 1) * 1000 + m),
      playerId: `g${g + 1}-m${m}`,
      wins: Math.floor(SESSIONS_PER_PLAYER * ((m * 37) % MEMBERS_PER_GUILD) ** 2 / MEMBERS_PER_GUILD ** 2),
      index: m,
    })),
  }));
}

async function runInProcess() {
  const { OpenFrontFake, generatedSessions } = requireFake('openfront');
  const { DiscordFake } = requireFake('discord');
  const herald = loadHeraldApp();

  const temp = tempDir('wins-sync');
  const openfront = await OpenFrontFake.start(OPENFRONT);
  const discord = await DiscordFake.start({ token: 'bench-bot-token' });
  let app;
  try {
    app = await startHeraldApp(herald, temp.dir, {
      OPENFRONT_API_URL: openfront.url,
      OPENFRONT_REQUESTS_PER_SECOND: String(OPENFRONT.requestsPerSecond),
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_TOKEN: 'bench-bot-token',
    });
    const bus = app.get(herald.CommandBus);
    const runs = app.get(herald.GuildSyncRuns);
    const context = { source: 'cli', correlationId: 'bench-wins-sync', actorId: 'bench' };
    const guilds = plan();
    const setWins = (member, wins) => {
      member.wins = wins;
      openfront.addPlayer(member.playerId, {
        sessions: generatedSessions(SESSIONS_PER_PLAYER, { wins, tag: CLAN_TAG, username: `[${CLAN_TAG}]${member.playerId}` }),
      });
    };

    const seeding = Date.now();
    for (const guild of guilds) {
      discord.addGuild(guild.guildId, { roles: guild.roleIds.map((id, t) => ({ id, name: `${THRESHOLDS[t]} wins`, permissions: '0' })) });
      await bus.execute(new herald.RegisterGuildCommand(guild.guildId, `Bench guild ${guild.guildId}`, context));
      await bus.execute(new herald.ConfigureGuildCommand({ type: 'AddClanTag', guildId: guild.guildId, tag: CLAN_TAG }, context));
      for (const [t, wins] of THRESHOLDS.entries()) {
        await bus.execute(new herald.ConfigureGuildCommand({ type: 'SetRoleThreshold', guildId: guild.guildId, wins, roleId: guild.roleIds[t] }, context));
      }
      for (const member of guild.members) {
        setWins(member, member.wins);
        discord.setMember(guild.guildId, member.userId, []);
      }
    }
    await until('the guild runs end', () => guilds.every((guild) => !runs.isRunning(guild.guildId)), 60_000);
    const links = guilds.flatMap((guild) => guild.members.map((member) => ({ guild, member })));
    await inPool(links, LINKS_IN_FLIGHT, async ({ guild, member }) => {
      const linked = await bus.execute(new herald.LinkPlayerCommand(guild.guildId, member.userId, member.playerId, 'member', context, false));
      if (linked.wins !== member.wins) throw new Error(`linking ${member.playerId} counted ${linked.wins} wins, not ${member.wins}`);
    });
    await until('the guild runs end', () => guilds.every((guild) => !runs.isRunning(guild.guildId)), 60_000);
    const seeded = {
      seconds: (Date.now() - seeding) / 1000,
      openfrontRequests: openfront.requests.length,
      discordRequests: discord.requests.length,
    };

    const winners = guilds.flatMap((guild) => guild.members.filter((member) => member.index % 10 === 0));
    for (const member of winners) setWins(member, member.wins + NEW_WINS);
    const full = await measuredSync({ guilds, bus, herald, context, openfront, discord });
    const resync = await measuredSync({ guilds, bus, herald, context, openfront, discord });
    return { members: GUILDS * MEMBERS_PER_GUILD, guilds: GUILDS, openfront: OPENFRONT, seeded, winners: winners.length, full, resync };
  } finally {
    await app?.close();
    await openfront.stop();
    await discord.stop();
    temp.remove();
  }
}

/** Starts a manual sync of every guild at once and waits until every run has completed. */
async function measuredSync({ guilds, bus, herald, context, openfront, discord }) {
  await sleep(SHARED_ANSWER_MS);
  openfront.reset();
  discord.reset();
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const triggered = await Promise.all(
    guilds.map((guild) => bus.execute(new herald.SyncGuildCommand(guild.guildId, { repairRoles: false }, context))),
  );
  const done = await Promise.all(triggered.map((run) => run.done));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const total = (field) => done.reduce((sum, run) => sum + run[field], 0);
  const starts = openfront.requests.map((request) => request.at).sort((a, b) => a - b);
  const spanMs = starts.length > 1 ? starts.at(-1) - starts[0] : 0;
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    states: [...new Set(done.map((run) => run.state))],
    checked: total('checked'),
    changed: total('changed'),
    failed: total('failed'),
    openfrontRequests: openfront.requests.length,
    openfront429: openfront.count({ status: 429 }),
    // How evenly the client spaced its requests, as the fake received them.
    requestSpanSeconds: spanMs / 1000,
    meanGapMs: starts.length > 1 ? spanMs / (starts.length - 1) : 0,
    discordRequests: discord.requests.length,
    discordRoleChanges: discord.requests.filter((request) => request.method === 'PUT' || request.method === 'DELETE').length,
  };
}

/** The rate-limit bound: every member's one request at the allowed rate. */
function boundSeconds(members) {
  return members / OPENFRONT.requestsPerSecond;
}

/** Adds the bound, the ratio and the verdicts to a result. */
function judge(result) {
  const bound = boundSeconds(result.members);
  const ratio = result.full.seconds / bound;
  const checks = {
    time: ratio <= BAR_RATIO,
    no429: result.full.openfront429 === 0 && result.resync.openfront429 === 0,
    noDiscordOnResync: result.resync.discordRequests === 0,
    everyMember:
      [result.full, result.resync].every((run) => run.checked === result.members && run.failed === 0 && run.states.join() === 'completed') &&
      result.full.changed === result.winners &&
      result.resync.changed === 0,
  };
  return { ...result, boundSeconds: bound, ratio, resyncRatio: result.resync.seconds / bound, checks, verdict: Object.values(checks).every(Boolean) ? 'PASS' : 'MISS' };
}

function describeRun(run) {
  return (
    `${run.seconds.toFixed(2)} s wall (${run.cpuSeconds.toFixed(1)} s CPU), ${run.checked} checked, ${run.changed} changed, ${run.failed} failed; ` +
    `OpenFront ${run.openfrontRequests} requests over ${run.requestSpanSeconds.toFixed(2)} s (mean gap ${run.meanGapMs.toFixed(2)} ms), ${run.openfront429} × 429; ` +
    `Discord ${run.discordRequests} requests (${run.discordRoleChanges} role changes)`
  );
}

function winsSyncReport(result) {
  const lines = [
    `e) wins sync: ${result.members.toLocaleString('en-US')} linked members in ${result.guilds} guilds, fake OpenFront ${result.openfront.latencyMs} ms latency at ${result.openfront.requestsPerSecond} requests/s, OPENFRONT_REQUESTS_PER_SECOND=${result.openfront.requestsPerSecond}`,
    `  seeding (untimed): ${result.members} links through LinkPlayerCommand in ${result.seeded.seconds.toFixed(1)} s (${result.seeded.openfrontRequests} OpenFront, ${result.seeded.discordRequests} Discord requests)`,
    `  full sync of all guilds together (every tenth member won ${NEW_WINS} more games): ${describeRun(result.full)}`,
    `  unchanged re-sync: ${describeRun(result.resync)}`,
    `  rate-limit bound ${result.boundSeconds.toFixed(0)} s: full sync ${result.ratio.toFixed(3)} × (bar ≤ ${BAR_RATIO}): ${result.checks.time ? 'PASS' : 'MISS'}; ` +
      `429s: ${result.checks.no429 ? 'none, PASS' : 'MISS'}; Discord requests on the re-sync: ${result.resync.discordRequests} (${result.checks.noDiscordOnResync ? 'PASS' : 'MISS'}); ` +
      `every member checked, none failed, the new wins counted: ${result.checks.everyMember ? 'PASS' : 'MISS'}`,
  ];
  return lines.join('\n');
}

/** Runs the workload in a child process (its own heap and event loop) and returns its judged figures. */
function winsSyncWorkload({ quick = false } = {}) {
  return judge(resultOfChild(__filename, { quick }));
}

if (require.main === module) runMain(async () => printResult(await runInProcess(), (result) => winsSyncReport(judge(result))));

const SECTION = resultsSectionMarkers('e', 'wins-sync');

function title(result) {
  return (
    `${result.members.toLocaleString('en-US')} linked members in ${result.guilds} guilds against the fake OpenFront ` +
    `(${result.openfront.latencyMs} ms latency, ${result.openfront.requestsPerSecond} requests/s allowed) and the fake Discord`
  );
}

/** e)'s section of RESULTS.md. */
function winsSyncMarkdown(info, section) {
  return resultsSectionLines(SECTION, '## e) wins sync (issue 3, bar 7)', info, section, (result, { pass, machine }) => {
    const row = (name, run) =>
      `| ${name} | ${run.seconds.toFixed(2)} s | ${(run.seconds / result.boundSeconds).toFixed(3)} | ${run.cpuSeconds.toFixed(1)} s | ` +
      `${run.checked} / ${run.changed} / ${run.failed} | ${run.openfrontRequests} | ${run.openfront429} | ${run.meanGapMs.toFixed(2)} ms | ` +
      `${run.discordRequests} (${run.discordRoleChanges}) |`;
    return [
      `${title(result)}; Herald in-process from \`dist/\` with \`OPENFRONT_REQUESTS_PER_SECOND=${result.openfront.requestsPerSecond}\`, the default`,
      'counting mode (one sessions request per member), all guilds\' manual syncs triggered together; wall time from the',
      'trigger to every run completed.',
      '',
      ...machine,
      `- seeding (untimed): ${result.members.toLocaleString('en-US')} links through \`LinkPlayerCommand\` in ${result.seeded.seconds.toFixed(1)} s ` +
        `(${result.seeded.openfrontRequests} OpenFront and ${result.seeded.discordRequests} Discord requests)`,
      '',
      `| run | wall time | × bound (${result.boundSeconds.toFixed(0)} s) | CPU (Herald and the fakes) | checked / changed / failed | OpenFront requests | 429s | mean gap between requests | Discord requests (role changes) |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row(`full sync (every tenth member won ${NEW_WINS} more games)`, result.full),
      row('unchanged re-sync', result.resync),
      '',
      `Bar: full sync ≤ ${BAR_RATIO} × the bound ${pass(result.checks.time)}; no 429 ${pass(result.checks.no429)}; ` +
        `no Discord request on the unchanged re-sync ${pass(result.checks.noDiscordOnResync)}; every member checked, none failed, the new wins counted (and no other) ${pass(result.checks.everyMember)}.`,
    ];
  });
}

/** RESULTS.md with e)'s section (and its verdict in the header line) replaced, or added above the kept notes. */
function replaceWinsSyncSection(text, info, winsSync, keptNotesMarker) {
  return replaceResultsSection(text, SECTION, winsSync.verdict, winsSyncMarkdown(info, winsSync).join('\n'), keptNotesMarker);
}

module.exports = { winsSyncWorkload, winsSyncReport, winsSyncMarkdown, replaceWinsSyncSection };
