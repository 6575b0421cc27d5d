import request from 'supertest';
import { ApplicationCommandOptionType } from 'discord.js';
import { type Answer, DiscordHarness, type InteractionInit } from '../support/discord-interactions';
import { ImportsHarness } from './imports-harness';

const MEMBER = '200000000000000042';
const GUILD = '100000000000000042';

describe('/integrations, run through Necord against the real app', () => {
  let harness: ImportsHarness;
  let discord: DiscordHarness;

  beforeAll(async () => {
    harness = await ImportsHarness.start();
    harness.fitbit.addUser('FBMEMBER', { generated: true });
    discord = new DiscordHarness(harness.app);
  });
  afterAll(() => harness.close());

  const inDm = (options: Record<string, unknown> = {}): InteractionInit => ({ guildId: null, userId: MEMBER, options });
  const linkIn = (answer: Answer) => new URL(/<(http[^>]+)>/.exec(answer.content ?? '')![1]);

  it('registers /integrations with list and sync, usable in servers and DMs', () => {
    const json = discord.registration('integrations') as { contexts: number[]; options: Array<{ name: string; options: Array<{ name: string; type: number; required: boolean }> }> };
    expect(json.contexts).toEqual([0, 1]);
    expect(json.options.map((option) => option.name)).toEqual(['list', 'sync']);
    expect(json.options[1].options).toEqual([expect.objectContaining({ name: 'plugin', type: ApplicationCommandOptionType.String, required: true })]);
  });

  it('lists the integrations with a private one-time connect link that connects the member', async () => {
    const listed = await discord.run('integrations list', { guildId: GUILD, userId: MEMBER });
    expect(listed).toMatchObject({ ephemeral: true, deferred: true });
    expect(listed.content).toContain('**Fitbit** (`fitbit`): not connected');
    const link = linkIn(listed);
    expect(link.pathname).toBe('/api/v1/plugins/fitbit/connect');

    // The member opens the link in a browser: Herald sends it on to Fitbit, and back.
    harness.fitbit.nextAuthorization({ userId: 'FBMEMBER' });
    const opened = await request(harness.app.getHttpServer()).get(link.pathname + link.search).expect(302);
    const cookie = ([] as string[]).concat(opened.headers['set-cookie'] ?? [])[0].split(';')[0];
    const authorized = await fetch(opened.headers.location as string, { redirect: 'manual' });
    const result = await harness.deliverCallback(new URL(authorized.headers.get('location')!), cookie);
    expect(result.searchParams.get('error')).toBeNull();
    await harness.catchUp();

    const [connected] = await harness.events('IntegrationConnected');
    expect(connected.metadata.userId).toBe(MEMBER);
    const again = await discord.run('integrations list', inDm());
    expect(again.content).toContain('**Fitbit** (`fitbit`): connected');
    expect(again.content).toContain('/integrations sync plugin:fitbit');
    expect(again.content).not.toContain('Connect:');
  });

  it('syncs the last 7 days on request and says what was imported', async () => {
    const synced = await discord.run('integrations sync', inDm({ plugin: 'fitbit' }));
    expect(synced).toMatchObject({ ephemeral: true, deferred: true });
    expect(synced.content).toMatch(/^Synced Fitbit for \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}: 7 days read, 42 values new or changed\.$/);
    const again = await discord.run('integrations sync', inDm({ plugin: 'fitbit' }));
    expect(again.content).toContain('7 days read, 0 values new or changed.');
  });

  it('answers an unknown plugin or a member without a connection with a short private message', async () => {
    const unknown = await discord.run('integrations sync', inDm({ plugin: 'strava' }));
    expect(unknown).toMatchObject({ ephemeral: true, content: expect.stringContaining('No data-import plugin is called strava') });
    const bad = await discord.run('integrations sync', inDm({ plugin: 'Fit Bit!' }));
    expect(bad.content).toBe('Invalid input: plugin must be one of fitbit.');
    const stranger = await discord.run('integrations sync', { guildId: GUILD, userId: '200000000000000099', options: { plugin: 'fitbit' } });
    expect(stranger.content).toBe('This integration is not connected: /integrations list gives you a link to connect it.');
  });
});
