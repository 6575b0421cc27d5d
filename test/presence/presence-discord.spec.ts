import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import { type Answer, DiscordHarness, type InteractionInit } from '../support/discord-interactions';
import { waitFor } from '@herald/core/testing';
import { PresenceHarness, type PresenceUser } from './presence-harness';

const GUILD = '100000000000000055';
const { String: STRING, User: USER } = ApplicationCommandOptionType;

describe('/presence on Discord, run through Necord against the real app', () => {
  let harness: PresenceHarness;
  let discord: DiscordHarness;
  let ann: PresenceUser;
  let bob: PresenceUser;

  beforeAll(async () => {
    harness = await PresenceHarness.start();
    discord = new DiscordHarness(harness.herald.app);
    [ann, bob] = await Promise.all([harness.user('550000000000000001'), harness.user('550000000000000002')]);
  });
  afterAll(() => harness?.close());

  /** In a DM unless a guild is given: the commands are about the caller and work in both. */
  const run = (subcommand: string, userId: string, options: Record<string, unknown> = {}, guildId: string | null = null): Promise<Answer> =>
    discord.run(`presence ${subcommand}`, { guildId, userId, options } satisfies InteractionInit);
  const discordUser = (id: string) => ({ id, username: `user_${id}`, bot: false });

  it('registers set, show, follow and unfollow, usable in servers and DMs', () => {
    const registration = discord.registration('presence') as {
      contexts: InteractionContextType[];
      options: Array<{ name: string; options: Array<{ name: string; type: number; required?: boolean; choices?: unknown[] }> }>;
    };
    expect(registration.contexts).toEqual([InteractionContextType.Guild, InteractionContextType.BotDM]);
    const subcommands = Object.fromEntries(registration.options.map((sub) => [sub.name, sub.options.map((o) => [o.name, o.type, o.required ?? false])]));
    expect(subcommands).toEqual({
      set: [
        ['status', STRING, true],
        ['message', STRING, false],
        ['daw', STRING, false],
      ],
      show: [['user', USER, true]],
      follow: [['user', USER, true]],
      unfollow: [['user', USER, true]],
    });
    expect(registration.options[0].options[0].choices).toHaveLength(5);
  });

  it('/presence set records the status and shows it only to the caller; followers receive it', async () => {
    await harness.follow(bob, ann);
    const bobSocket = await harness.connect(bob);
    const answer = await run('set', ann.userId, { status: 'in_studio', message: 'tracking vocals', daw: 'Ableton Live' }, GUILD);
    expect(answer).toMatchObject({ ephemeral: true, content: expect.stringContaining('**in the studio**: tracking vocals (Ableton Live)') });
    expect(await harness.presenceEvents(ann)).toMatchObject([{ status: 'in_studio', reason: 'manual', daw: 'Ableton Live' }]);
    const events = await harness.herald.eventStore.readStream(`presence-${ann.userId}`);
    expect(events[0].metadata).toMatchObject({ source: 'discord', actorId: ann.userId, userId: ann.userId });
    await waitFor('the follower to receive it', () => bobSocket.about(ann.userId).length === 1);
  });

  it('/presence set refuses an unknown status or a long message with a short private message, recording nothing', async () => {
    const head = await harness.headPosition();
    const unknown = await run('set', ann.userId, { status: 'asleep' });
    expect(unknown).toMatchObject({ ephemeral: true, content: expect.stringContaining('status must be one of online, away, dnd, in_studio, offline') });
    const long = await run('set', ann.userId, { status: 'online', message: 'x'.repeat(256) });
    expect(long.content).toContain('message must be at most 255 characters');
    expect(await harness.headPosition()).toBe(head);
  });

  it('/presence show obeys the privacy of the user shown', async () => {
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showActivityStatus: false } }).expect(200);
    await harness.caughtUp();
    const byBob = await run('show', bob.userId, { user: discordUser(ann.userId) });
    expect(byBob).toMatchObject({ ephemeral: true, content: `<@${ann.userId}> is **offline**` });
    const byAnn = await run('show', ann.userId, { user: discordUser(ann.userId) });
    expect(byAnn.content).toMatch(new RegExp(`^<@${ann.userId}> is \\*\\*in the studio\\*\\*: tracking vocals \\(Ableton Live\\), last active <t:\\d+:R>$`));
    await harness.call('patch', '/api/v1/me/privacy', { token: ann.token, body: { showActivityStatus: true } }).expect(200);
  });

  it('/presence follow and unfollow record the follow, and refuse following oneself', async () => {
    const carl = await harness.user('550000000000000003');
    expect((await run('follow', carl.userId, { user: discordUser(ann.userId) })).content).toContain(`You follow <@${ann.userId}>`);
    expect((await run('unfollow', carl.userId, { user: discordUser(ann.userId) })).content).toContain(`You no longer follow <@${ann.userId}>`);
    const self = await run('follow', carl.userId, { user: discordUser(carl.userId) });
    expect(self).toMatchObject({ ephemeral: true, content: expect.stringContaining('nobody follows themselves') });
    const follows = (await harness.herald.eventStore.readStream(`user-${carl.userId}`)).filter((e) => e.type.startsWith('User'));
    expect(follows.map((e) => [e.type, e.data.followeeId])).toEqual([
      ['UserFollowed', ann.userId],
      ['UserUnfollowed', ann.userId],
    ]);
  });
});
