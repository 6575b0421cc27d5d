import request from 'supertest';
import { GuildSyncRuns } from '@herald/wins';
import { DiscordFake } from '../fakes/discord.fake';
import { OpenFrontFake, readFixture } from '../fakes/openfront.fake';
import { bearer, type HeraldUnderTest, OPERATOR_TOKEN, startHerald, type StartHeraldOptions } from '../support/herald-test-app';

/** The wins REST API of an in-process Herald, against fake OpenFront and Discord servers (Discord over REST only). */

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** OpenFront players built from the fixtures; their counts are the numbers. */
export const PLAYERS = {
  /** player_info.json: total 33; the 19 fixture sessions, paged (100 a page). */
  current: 'q8ZfR2mK',
  /** player_info_legacy.json: total 7. */
  legacy: 'Lg7PqW2e',
  /** player_info_new_player.json, no sessions: 0 everywhere. */
  newcomer: 'Nw0bie11',
  /** The 19 sessions as one bare array (the legacy sessions form). */
  sessionsArray: 'Arr4yS3s',
  /** The 19 sessions in pages of 10. */
  sessionsPaged: 'Pag3dS3s',
} as const;

export class WinsRestHarness {
  private constructor(
    readonly herald: HeraldUnderTest,
    readonly openfront: OpenFrontFake,
    readonly discord: DiscordFake,
  ) {}

  static async start(options: StartHeraldOptions = {}): Promise<WinsRestHarness> {
    const openfront = await OpenFrontFake.start();
    const discord = await DiscordFake.start();
    openfront.addPlayer(PLAYERS.current);
    openfront.addPlayer(PLAYERS.legacy, { profile: readFixture('player_info_legacy.json') });
    openfront.addPlayer(PLAYERS.newcomer, { profile: readFixture('player_info_new_player.json'), sessions: 'none' });
    openfront.addPlayer(PLAYERS.sessionsArray, { sessionsForm: 'legacy' });
    openfront.addPlayer(PLAYERS.sessionsPaged, { sessionsForm: 'paged', pageSize: 10 });
    const herald = await startHerald(
      { OPENFRONT_API_URL: openfront.url, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-bot-token', DISCORD_GATEWAY: 'off' },
      options,
    );
    return new WinsRestHarness(herald, openfront, discord);
  }

  async close(): Promise<void> {
    await this.herald.close();
    await this.openfront.stop();
    await this.discord.stop();
  }

  /** A request to Herald with a bearer token (the operator's unless told). */
  call(method: Method, path: string, options: { token?: string; body?: unknown } = {}): request.Test {
    const call = request(this.herald.app.getHttpServer())[method](path).set(bearer(options.token ?? OPERATOR_TOKEN));
    return options.body === undefined ? call : call.send(options.body as object);
  }

  /** A personal token for `userId` (default scope `user:<userId>`), usable at once. */
  async tokenFor(userId: string, scopes?: string[]): Promise<string> {
    const issued = await this.call('post', `/api/v1/users/${userId}/tokens`, { body: scopes ? { scopes } : {} }).expect(201);
    await this.herald.projections.waitUntilCaughtUp();
    return issued.body.token as string;
  }

  /** A guild known to Discord (with these roles) and registered with Herald by the operator. */
  async registerGuild(guildId: string, roleIds: string[] = []): Promise<void> {
    this.discord.addGuild(guildId, { roles: roleIds.map((id) => ({ id, name: `role ${id}`, permissions: '0' })) });
    await this.call('put', `/api/v1/guilds/${guildId}`, { body: { name: `Guild ${guildId}` } }).expect(201);
    await this.herald.projections.waitUntilCaughtUp();
  }

  /** Waits until no sync run of these guilds is going (config changes start runs) and the read models caught up. */
  async settle(...guildIds: string[]): Promise<void> {
    const runs = this.herald.app.get(GuildSyncRuns);
    const deadline = Date.now() + 10_000;
    while (guildIds.some((guildId) => runs.isRunning(guildId))) {
      if (Date.now() > deadline) throw new Error(`sync runs of ${guildIds.join(', ')} did not end in time`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.herald.projections.waitUntilCaughtUp();
  }

  /** Starts a manual sync over REST and polls its run until it ends; returns the run as REST shows it. */
  async syncAndWait(guildId: string, body: { userId?: string; repairRoles?: boolean } = {}): Promise<Record<string, unknown>> {
    const { runId } = (await this.call('post', `/api/v1/guilds/${guildId}/sync`, { body }).expect(202)).body as { runId: string };
    const deadline = Date.now() + 10_000;
    for (;;) {
      const run = (await this.call('get', `/api/v1/guilds/${guildId}/sync/${runId}`).expect(200)).body as Record<string, unknown>;
      if (run.state === 'completed' || run.state === 'failed') {
        await this.settle(guildId);
        return run;
      }
      if (Date.now() > deadline) throw new Error(`sync run ${runId} did not end in time`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Every event now in the log (the tests' logs are small). */
  async allEvents() {
    return this.herald.eventStore.readAll({ maxCount: 100_000 });
  }
}
