import { CommandBus } from '@nestjs/cqrs';
import request from 'supertest';
import { type RecordedEvent, streams, TooManyRequests } from '@herald/core';
import {
  ConfigureGuildCommand,
  GuildSyncRuns,
  LinkPlayerCommand,
  RegisterGuildCommand,
  type SyncRunProgress,
  SyncGuildCommand,
  WinsReadModel,
} from '@herald/wins';
import { DiscordFake } from '../fakes/discord.fake';
import { generatedSessions, OpenFrontFake, type OpenFrontFault, type OpenFrontRequest } from '../fakes/openfront.fake';
import { bearer, type HeraldUnderTest, OPERATOR_TOKEN, startHerald } from '../support/herald-test-app';

/**
 * The sync engine against an OpenFront that misbehaves: 429 storms with Retry-After, 5xx bursts,
 * Cloudflare challenge pages, truncated JSON, players that vanish, and an upstream that is down.
 * Each scenario has its own guild; every member's player has a count of their own, so a count
 * read from the wrong answer (or a shared stale one) shows.
 */

const CLAN_TAG = 'ABC';
const THRESHOLD_WINS = 10;
const context = { source: 'rest' as const, correlationId: 'upstream-trouble', actorId: 'operator' };
/** PlayerStats shares an answer this long even with a fresh read: a run must start after it, or it would not ask OpenFront. */
const SHARED_ANSWER_MS = 1_000;
/** Node timers may fire up to a millisecond before Date.now() says the wait is over. */
const TIMER_SLACK_MS = 2;

interface Member {
  userId: string;
  playerId: string;
  /** Clan wins OpenFront reports for the player right now. */
  wins: number;
}

interface TestGuild {
  guildId: string;
  roleId: string;
  members: Member[];
}

/** One guild per scenario, with this many linked members. */
const GUILD_SIZES = { storm: 20, flaky: 6, garbled: 5, outage: 16, vanished: 12, newcomer: 0 };
type GuildLabel = keyof typeof GUILD_SIZES;

const snowflake = (prefix: string, n: number) => `${prefix}${String(n).padStart(17, '0')}`;

describe('wins sync under upstream trouble', () => {
  let openfront: OpenFrontFake;
  let discord: DiscordFake;
  let herald: HeraldUnderTest;
  let bus: CommandBus;
  let runs: GuildSyncRuns;
  let readModel: WinsReadModel;
  let lastLinkAt = 0;
  let guildCount = 0;
  const guilds = {} as Record<GuildLabel, TestGuild>;

  beforeAll(async () => {
    openfront = await OpenFrontFake.start();
    discord = await DiscordFake.start();
    herald = await startHerald({
      OPENFRONT_API_URL: openfront.url,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_TOKEN: 'test-bot-token',
      DISCORD_GATEWAY: 'off',
      // The client's own rate limit is not under test here; the default (10/s) would only slow the runs down.
      OPENFRONT_REQUESTS_PER_SECOND: '200',
      // Backoff waits stay exponential with full jitter, from 20 ms instead of 250 ms: failing members give up sooner.
      OPENFRONT_RETRY_BASE_DELAY_MS: '20',
    });
    bus = herald.app.get(CommandBus);
    runs = herald.app.get(GuildSyncRuns);
    readModel = herald.app.get(WinsReadModel);
    // Linked once, up front: the window in which link-time answers are shared has passed by the first run.
    for (const label of Object.keys(GUILD_SIZES) as GuildLabel[]) guilds[label] = await linkedGuild(label, GUILD_SIZES[label]);
  });
  // Each scenario sees only its own requests and faults.
  beforeEach(() => openfront.reset());
  afterAll(async () => {
    await herald?.close();
    await openfront?.stop();
    await discord?.stop();
  });

  /** A registered guild (clan tag ABC, one role at 10 wins) whose members linked players with 0, 1, 2… clan wins. */
  async function linkedGuild(label: string, size: number): Promise<TestGuild> {
    guildCount++;
    const guildId = snowflake('1', guildCount);
    const roleId = snowflake('3', guildCount);
    discord.addGuild(guildId, { roles: [{ id: roleId, name: `${THRESHOLD_WINS} wins`, permissions: '0' }] });
    await bus.execute(new RegisterGuildCommand(guildId, label, context));
    await bus.execute(new ConfigureGuildCommand({ type: 'AddClanTag', guildId, tag: CLAN_TAG }, context));
    await bus.execute(new ConfigureGuildCommand({ type: 'SetRoleThreshold', guildId, wins: THRESHOLD_WINS, roleId }, context));
    const members: Member[] = [];
    for (let i = 0; i < size; i++) {
      const member = { userId: snowflake('2', guildCount * 1000 + i), playerId: `${label}-${i}`, wins: i };
      setWins(member, member.wins);
      discord.setMember(guildId, member.userId, []);
      const linked = await bus.execute(new LinkPlayerCommand(guildId, member.userId, member.playerId, 'member', context, true));
      expect(linked.wins).toBe(member.wins);
      members.push(member);
    }
    lastLinkAt = Date.now();
    await until(() => !runs.isRunning(guildId));
    return { guildId, roleId, members };
  }

  function setWins(member: Member, wins: number): void {
    member.wins = wins;
    openfront.addPlayer(member.playerId, { sessions: generatedSessions(30, { wins, tag: CLAN_TAG, username: `[${CLAN_TAG}]${member.playerId}` }) });
  }

  /** Every member wins `by` more games on OpenFront, so the next sync must count each of them anew. */
  function everyoneWins(guild: TestGuild, by: number): void {
    for (const member of guild.members) setWins(member, member.wins + by);
  }

  /** A manual guild run started once answers read at link time are no longer shared, and its summary. */
  async function syncGuild(guildId: string): Promise<SyncRunProgress> {
    await until(() => Date.now() - lastLinkAt > SHARED_ANSWER_MS);
    const run = await bus.execute(new SyncGuildCommand(guildId, { repairRoles: false }, context));
    return run.done;
  }

  async function memberEvents(guildId: string, userId: string): Promise<RecordedEvent[]> {
    return herald.eventStore.readStream(streams.guildMember(guildId, userId));
  }

  async function expectSyncedNow(guild: TestGuild, member: Member): Promise<void> {
    const synced = (await memberEvents(guild.guildId, member.userId)).filter((event) => event.type === 'WinsSynced');
    expect(synced.at(-1)?.data).toMatchObject({ playerId: member.playerId, wins: member.wins });
    expect(await readModel.player(guild.guildId, member.userId)).toMatchObject({
      playerId: member.playerId,
      wins: member.wins,
      lastFailure: null,
      roleId: member.wins >= THRESHOLD_WINS ? guild.roleId : null,
    });
    expect(discord.memberRoles(guild.guildId, member.userId)).toEqual(member.wins >= THRESHOLD_WINS ? [guild.roleId] : []);
  }

  function getPlayer(guildId: string, userId: string) {
    return request(herald.app.getHttpServer()).get(`/api/v1/guilds/${guildId}/players/${userId}`).set(bearer(OPERATOR_TOKEN));
  }

  function requestsOf(playerId: string): OpenFrontRequest[] {
    const profilePath = `/public/player/${playerId}`;
    return openfront.requests.filter((sent) => sent.path === profilePath || sent.path.startsWith(`${profilePath}/`));
  }

  it('rides out a 429 storm and 5xx bursts: every member is counted, and no retry comes before its Retry-After', async () => {
    const guild = guilds.storm;
    everyoneWins(guild, 2);
    const retryAfterSeconds = 0.2;
    // Every member is rate limited first; every second one then gets a 5xx burst, every fifth one more 5xx.
    const faultsOf = (i: number): OpenFrontFault[] => [
      { kind: 'status', status: 429, retryAfter: String(retryAfterSeconds) },
      ...(i % 2 === 0 ? [{ kind: 'status', status: 503 } as const, { kind: 'status', status: 502 } as const] : []),
      ...(i % 5 === 0 ? [{ kind: 'status', status: 500 } as const] : []),
    ];
    guild.members.forEach((member, i) => openfront.inject(member.playerId, ...faultsOf(i)));

    const done = await syncGuild(guild.guildId);

    expect(done).toMatchObject({ state: 'completed', checked: 20, changed: 20, failed: 0, failures: [] });
    guild.members.forEach((member, i) => {
      // Each member's request was retried through exactly the faults it was dealt, then answered once.
      const statuses = faultsOf(i).map((fault) => (fault.kind === 'status' ? fault.status : 0));
      expect(requestsOf(member.playerId).map((sent) => sent.status)).toEqual([...statuses, 200]);
    });
    expect(retriesBeforeRetryAfter(openfront.requests, retryAfterSeconds * 1000)).toEqual([]);

    await herald.projections.waitUntilCaughtUp();
    for (const member of guild.members) await expectSyncedNow(guild, member);
    const completed = (await herald.eventStore.readStream(streams.guild(guild.guildId))).filter((event) => event.type === 'GuildSyncCompleted');
    expect(completed.at(-1)?.data).toMatchObject({ runId: done.runId, checked: 20, changed: 20, failed: 0 });
  });

  it('reports a member whose requests all fail and syncs the others', async () => {
    const guild = guilds.flaky;
    everyoneWins(guild, 11);
    const [lost, ...others] = guild.members;
    openfront.failAlways(lost.playerId, { kind: 'status', status: 503 });

    const done = await syncGuild(guild.guildId);

    expect(done).toMatchObject({
      state: 'completed',
      checked: 6,
      changed: 5,
      failed: 1,
      failures: [{ userId: lost.userId, playerId: lost.playerId, reason: 'upstream_unavailable' }],
    });
    const attempts = requestsOf(lost.playerId);
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.every((sent) => sent.status === 503)).toBe(true);

    const failed = (await memberEvents(guild.guildId, lost.userId)).filter((event) => event.type === 'MemberSyncFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ playerId: lost.playerId, reason: 'upstream_unavailable' });
    expect(failed[0].data.detail).toEqual(expect.stringContaining('503'));
    const completed = (await herald.eventStore.readStream(streams.guild(guild.guildId))).filter((event) => event.type === 'GuildSyncCompleted');
    expect(completed.at(-1)?.data).toMatchObject({
      runId: done.runId,
      failed: 1,
      failures: [{ userId: lost.userId, playerId: lost.playerId, reason: 'upstream_unavailable' }],
    });

    await herald.projections.waitUntilCaughtUp();
    // The failed member keeps the count and role of their last good sync (0 wins: no role).
    const player = await getPlayer(guild.guildId, lost.userId).expect(200);
    expect(player.body).toMatchObject({ playerId: lost.playerId, wins: 0, roleId: null, lastFailure: 'upstream_unavailable' });
    expect(discord.memberRoles(guild.guildId, lost.userId)).toEqual([]);
    for (const member of others) await expectSyncedNow(guild, member);
  });

  it('treats Cloudflare challenge pages and truncated JSON as transient trouble, not as crashes', async () => {
    const guild = guilds.garbled;
    everyoneWins(guild, 10);
    const [challengedOnce, truncatedOnce, alwaysChallenged, alwaysTruncated, untouched] = guild.members;
    openfront.inject(challengedOnce.playerId, { kind: 'cloudflare' }, { kind: 'cloudflare' });
    openfront.inject(truncatedOnce.playerId, { kind: 'malformed' });
    openfront.failAlways(alwaysChallenged.playerId, { kind: 'cloudflare' });
    openfront.failAlways(alwaysTruncated.playerId, { kind: 'malformed' });

    const done = await syncGuild(guild.guildId);

    expect(done.state).toBe('completed');
    expect(done).toMatchObject({ checked: 5, changed: 3, failed: 2 });
    expect(done.failures).toEqual(
      expect.arrayContaining([
        { userId: alwaysChallenged.userId, playerId: alwaysChallenged.playerId, reason: 'upstream_unavailable' },
        { userId: alwaysTruncated.userId, playerId: alwaysTruncated.playerId, reason: 'upstream_malformed' },
      ]),
    );
    await herald.projections.waitUntilCaughtUp();
    for (const member of [challengedOnce, truncatedOnce, untouched]) await expectSyncedNow(guild, member);
    expect(await readModel.player(guild.guildId, alwaysChallenged.userId)).toMatchObject({ lastFailure: 'upstream_unavailable' });
    expect(await readModel.player(guild.guildId, alwaysTruncated.userId)).toMatchObject({ lastFailure: 'upstream_malformed' });
  });

  it('stops a run after repeated upstream failures and backs the guild off for about five minutes', async () => {
    const guild = guilds.outage;
    const guildStream = streams.guild(guild.guildId);
    const backoffMs = herald.config.wins.backoffMinutes * 60_000;
    openfront.failAlways('*', { kind: 'status', status: 503 });

    const startedAt = Date.now();
    const done = await syncGuild(guild.guildId);
    const endedAt = Date.now();

    // Members already in flight finish (and fail); no member starts after the backoff was decided.
    expect(done.state).toBe('failed');
    expect(done.checked).toBeGreaterThanOrEqual(herald.config.wins.backoffAfterFailures);
    expect(done.checked).toBeLessThan(guild.members.length);
    expect(done.failed).toBe(done.checked);
    const asked = guild.members.filter((member) => requestsOf(member.playerId).length > 0);
    expect(asked).toHaveLength(done.checked);

    const guildEvents = await herald.eventStore.readStream(guildStream);
    const backoff = guildEvents.find((event) => event.type === 'SyncBackoffStarted');
    expect(backoff?.data).toMatchObject({ runId: done.runId, consecutiveFailures: expect.any(Number) });
    const until = Date.parse(backoff!.data.until as string);
    expect(until).toBeGreaterThanOrEqual(startedAt + backoffMs);
    expect(until).toBeLessThanOrEqual(endedAt + backoffMs);
    await herald.projections.waitUntilCaughtUp();
    expect(await readModel.settings(guild.guildId)).toMatchObject({ backoffUntil: backoff!.data.until });

    // During the backoff a manual sync is refused and a scheduled start is skipped; OpenFront hears nothing.
    openfront.reset();
    const manual = await request(herald.app.getHttpServer())
      .post(`/api/v1/guilds/${guild.guildId}/sync`)
      .set(bearer(OPERATOR_TOKEN))
      .send({})
      .expect(429);
    expect(manual.body).toMatchObject({ status: 429 });
    expect(manual.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(manual.headers['retry-after'])).toBeGreaterThan(backoffMs / 1000 - 60);
    const scheduled = await runs
      .start({ guildId: guild.guildId, trigger: 'scheduled', context: { source: 'scheduler', correlationId: 'scheduled-during-backoff' } })
      .catch((error: unknown) => error);
    expect(scheduled).toBeInstanceOf(TooManyRequests);
    expect(await herald.eventStore.readStream(guildStream)).toHaveLength(guildEvents.length);
    expect(openfront.requests).toEqual([]);
  });

  it('reports an unknown player as player_not_found and keeps the link', async () => {
    const guild = guilds.vanished;
    const gone = guild.members[11];
    expect(discord.memberRoles(guild.guildId, gone.userId)).toEqual([guild.roleId]);
    openfront.removePlayer(gone.playerId);

    const done = await syncGuild(guild.guildId);

    // Not an upstream outage: the run goes on and the guild does not back off.
    expect(done).toMatchObject({
      state: 'completed',
      checked: 12,
      failed: 1,
      failures: [{ userId: gone.userId, playerId: gone.playerId, reason: 'player_not_found' }],
    });
    const events = await memberEvents(guild.guildId, gone.userId);
    expect(events.filter((event) => event.type === 'MemberSyncFailed').map((event) => event.data.reason)).toEqual(['player_not_found']);
    expect(events.some((event) => event.type === 'PlayerUnlinked')).toBe(false);
    await herald.projections.waitUntilCaughtUp();
    const player = await getPlayer(guild.guildId, gone.userId).expect(200);
    expect(player.body).toMatchObject({ playerId: gone.playerId, wins: 11, roleId: guild.roleId, lastFailure: 'player_not_found' });
    expect(discord.memberRoles(guild.guildId, gone.userId)).toEqual([guild.roleId]);
    expect(await readModel.settings(guild.guildId)).toMatchObject({ backoffUntil: null });

    // The link still stands: once OpenFront knows the player again, the next run counts them.
    setWins(gone, 12);
    const again = await syncGuild(guild.guildId);
    expect(again).toMatchObject({ state: 'completed', checked: 12, changed: 1, failed: 0 });
    await herald.projections.waitUntilCaughtUp();
    await expectSyncedNow(guild, gone);
  });

  it('tells a member linking an unknown player so, and writes nothing', async () => {
    const guild = guilds.newcomer;
    const userId = snowflake('2', 999_999);
    discord.setMember(guild.guildId, userId, []);

    const refused = await request(herald.app.getHttpServer())
      .put(`/api/v1/guilds/${guild.guildId}/links/${userId}`)
      .set(bearer(OPERATOR_TOKEN))
      .send({ playerId: 'nobody-knows-me' })
      .expect(400);

    expect(refused.body.errors).toEqual([{ field: 'playerId', messages: [expect.stringContaining('nobody-knows-me')] }]);
    expect(await memberEvents(guild.guildId, userId)).toEqual([]);
  });
});

/** Requests sent again (same path and query) sooner after a 429 than the Retry-After it carried. */
function retriesBeforeRetryAfter(requests: readonly OpenFrontRequest[], retryAfterMs: number): string[] {
  const early: string[] = [];
  const byTarget = new Map<string, OpenFrontRequest[]>();
  for (const sent of requests) {
    const target = `${sent.path}?${new URLSearchParams(sent.query)}`;
    byTarget.set(target, [...(byTarget.get(target) ?? []), sent]);
  }
  for (const [target, attempts] of byTarget) {
    attempts.forEach((attempt, i) => {
      const next = attempts[i + 1];
      if (attempt.status === 429 && next && next.at - attempt.at < retryAfterMs - TIMER_SLACK_MS) {
        early.push(`${target}: retried ${next.at - attempt.at} ms after a 429 asking for ${retryAfterMs} ms`);
      }
    });
  }
  return early;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
