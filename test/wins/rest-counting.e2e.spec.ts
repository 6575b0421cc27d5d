import { ManualClock } from '@herald/core';
import { PLAYERS, WinsRestHarness } from './rest-harness';

/** The fixture numbers, through REST, in every counting mode and both sessions forms. */

const TOTAL_GUILD = '610000000000000001';
const SINCE_LINK_GUILD = '610000000000000002';
const CLAN_GUILD = '610000000000000003';
const member = (n: number) => `70000000000000000${n}`;

describe('wins REST: every counting mode gives the fixture numbers', () => {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  let harness: WinsRestHarness;

  beforeAll(async () => {
    harness = await WinsRestHarness.start({ clock });
    for (const guildId of [TOTAL_GUILD, SINCE_LINK_GUILD, CLAN_GUILD]) {
      await harness.registerGuild(guildId);
      for (let n = 1; n <= 4; n++) harness.discord.setMember(guildId, member(n), []);
    }
  });
  afterAll(() => harness?.close());

  const link = (guildId: string, userId: string, playerId: string, token?: string) =>
    harness.call('put', `/api/v1/guilds/${guildId}/links/${userId}`, { token, body: { playerId } }).expect(200);
  const winsOf = async (guildId: string, userId: string) =>
    (await harness.call('get', `/api/v1/guilds/${guildId}/players/${userId}`).expect(200)).body.wins;

  describe('total', () => {
    beforeAll(async () => {
      await harness.call('patch', `/api/v1/guilds/${TOTAL_GUILD}/settings`, { body: { countingMode: 'total' } }).expect(200);
      await harness.settle(TOTAL_GUILD);
    });

    it('counts 33 for the current profile, linked by the member with their own token', async () => {
      const token = await harness.tokenFor(member(1));
      const linked = await link(TOTAL_GUILD, member(1), PLAYERS.current, token);
      expect(linked.body).toEqual({ playerId: PLAYERS.current, username: 'Falcon.4821', wins: 33 });
    });

    it('counts 7 for the legacy profile and 0 for a new player, linked by an admin', async () => {
      expect((await link(TOTAL_GUILD, member(2), PLAYERS.legacy)).body).toMatchObject({ wins: 7 });
      expect((await link(TOTAL_GUILD, member(3), PLAYERS.newcomer)).body).toMatchObject({ wins: 0 });
    });

    it('records who linked: the member themselves, or an admin', async () => {
      const linkedBy = async (userId: string) =>
        (await harness.herald.eventStore.readStream(`guildmember-${TOTAL_GUILD}_${userId}`)).find((e) => e.type === 'PlayerLinked')
          ?.data.linkedBy;
      expect(await linkedBy(member(1))).toBe('member');
      expect(await linkedBy(member(2))).toBe('admin');
    });

    it('shows the counts on the players and the leaderboard, most wins first', async () => {
      await harness.settle(TOTAL_GUILD);
      expect(await winsOf(TOTAL_GUILD, member(1))).toBe(33);
      const board = await harness.call('get', `/api/v1/guilds/${TOTAL_GUILD}/players`).expect(200);
      expect(board.body.items.map((p: { userId: string; wins: number }) => [p.userId, p.wins])).toEqual([
        [member(1), 33],
        [member(2), 7],
        [member(3), 0],
      ]);
    });
  });

  describe('sessions_since_link', () => {
    beforeAll(async () => {
      await harness.call('patch', `/api/v1/guilds/${SINCE_LINK_GUILD}/settings`, { body: { countingMode: 'sessions_since_link' } }).expect(200);
      await harness.settle(SINCE_LINK_GUILD);
    });

    it('counts 9 public wins from a link made at 2026-03-01T12:00:00Z, in both sessions forms', async () => {
      clock.set('2026-03-01T12:00:00.000Z');
      expect((await link(SINCE_LINK_GUILD, member(1), PLAYERS.sessionsArray)).body).toMatchObject({ wins: 9 });
      expect((await link(SINCE_LINK_GUILD, member(2), PLAYERS.sessionsPaged)).body).toMatchObject({ wins: 9 });
    });

    it('counts 4 from a link made at 2026-03-10T00:00:00Z, in both sessions forms', async () => {
      clock.set('2026-03-10T00:00:00.000Z');
      expect((await link(SINCE_LINK_GUILD, member(3), PLAYERS.sessionsArray)).body).toMatchObject({ wins: 4 });
      expect((await link(SINCE_LINK_GUILD, member(4), PLAYERS.sessionsPaged)).body).toMatchObject({ wins: 4 });
    });

    it('keeps each member counting from their own link time when the guild syncs again', async () => {
      const run = await harness.syncAndWait(SINCE_LINK_GUILD);
      expect(run).toMatchObject({ state: 'completed', checked: 4, changed: 0, failed: 0 });
      const players = await harness.call('get', `/api/v1/guilds/${SINCE_LINK_GUILD}/players/${member(1)}`).expect(200);
      expect(players.body).toMatchObject({ playerId: PLAYERS.sessionsArray, linkedAt: '2026-03-01T12:00:00.000Z', wins: 9 });
      expect(await winsOf(SINCE_LINK_GUILD, member(2))).toBe(9);
      expect(await winsOf(SINCE_LINK_GUILD, member(3))).toBe(4);
      expect(await winsOf(SINCE_LINK_GUILD, member(4))).toBe(4);
    });
  });

  describe('sessions_with_clan (the default mode)', () => {
    beforeAll(async () => {
      await link(CLAN_GUILD, member(1), PLAYERS.sessionsArray);
      await link(CLAN_GUILD, member(2), PLAYERS.sessionsPaged);
      await harness.settle(CLAN_GUILD);
    });

    const clanWins = async () => [await winsOf(CLAN_GUILD, member(1)), await winsOf(CLAN_GUILD, member(2))];
    const changeTags = async (method: 'post' | 'delete', tag: string) => {
      const path = method === 'post' ? `/api/v1/guilds/${CLAN_GUILD}/clan-tags` : `/api/v1/guilds/${CLAN_GUILD}/clan-tags/${tag}`;
      await harness.call(method, path, method === 'post' ? { body: { tag } } : {}).expect(method === 'post' ? 201 : 204);
      // A tag change recounts every member in a background run.
      await harness.settle(CLAN_GUILD);
    };

    it('counts 0 while the guild has no tags', async () => {
      expect(await clanWins()).toEqual([0, 0]);
    });

    it('counts 9 with {ABC}, however the tag is typed', async () => {
      await changeTags('post', 'abc');
      expect((await harness.call('get', `/api/v1/guilds/${CLAN_GUILD}/clan-tags`).expect(200)).body).toEqual({ items: ['ABC'] });
      expect(await clanWins()).toEqual([9, 9]);
    });

    it('counts 11 with {ABC, XYZ}', async () => {
      await changeTags('post', 'XYZ');
      expect(await clanWins()).toEqual([11, 11]);
    });

    it('counts 2 with {XYZ}', async () => {
      await changeTags('delete', 'ABC');
      expect(await clanWins()).toEqual([2, 2]);
    });

    it('counts 0 again with no tags', async () => {
      await changeTags('delete', 'xyz');
      expect(await clanWins()).toEqual([0, 0]);
    });
  });
});
