import request from 'supertest';
import { OPERATOR_TOKEN, bearer, startHerald, type HeraldUnderTest } from './support/herald-test-app';
import { testEvent } from '@herald/core/testing';
import { cli, createToken, waitForToken } from './support/herald-cli';

const GUILD = '111111111111111111';
const OTHER_GUILD = '1111111111111111112';
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 12, minute)).toISOString();

describe('audit read from the event log', () => {
  let herald: HeraldUnderTest;
  let server: ReturnType<HeraldUnderTest['app']['getHttpServer']>;

  beforeAll(async () => {
    herald = await startHerald();
    server = herald.app.getHttpServer();
    const { eventStore } = herald;
    await eventStore.append(`guild-${GUILD}`, [testEvent('GuildConfigured', { countingMode: 'total' }, { guildId: GUILD, actorId: '42', source: 'discord', occurredAt: at(0) })], { expectedRevision: 'no_stream' });
    await eventStore.append(`guildmember-${GUILD}_42`, [testEvent('PlayerLinked', { playerId: 'abc', apiToken: { v: 1, ct: 'sealed' } }, { guildId: GUILD, userId: '42', actorId: '42', source: 'discord', occurredAt: at(1) })], { expectedRevision: 'no_stream' });
    await eventStore.append(`guild-${OTHER_GUILD}`, [testEvent('GuildConfigured', { countingMode: 'total' }, { guildId: OTHER_GUILD, occurredAt: at(2) })], { expectedRevision: 'no_stream' });
    for (let minute = 3; minute < 28; minute += 1) {
      await eventStore.append(`guildmember-${GUILD}_42`, [testEvent('WinsSynced', { wins: minute }, { guildId: GUILD, userId: '42', source: 'scheduler', occurredAt: at(minute) })], { expectedRevision: 'any' });
    }
  });

  afterAll(() => herald.close());

  const audit = (query: string, token = OPERATOR_TOKEN) =>
    request(server).get(`/api/v1/guilds/${GUILD}/audit${query}`).set(bearer(token));

  it('lists the guild and its members newest first, and never another guild whose id shares the prefix', async () => {
    const response = await audit('?pageSize=100').expect(200);
    const types = response.body.items.map((entry: { type: string }) => entry.type);
    expect(types).toHaveLength(27);
    expect(types[0]).toBe('WinsSynced');
    expect(types.slice(-2)).toEqual(['PlayerLinked', 'GuildConfigured']);
    expect(response.body.items[0]).toEqual({
      position: expect.any(Number),
      type: 'WinsSynced',
      occurredAt: at(27),
      actorId: null,
      source: 'scheduler',
      data: { wins: 27 },
    });
    const positions = response.body.items.map((entry: { position: number }) => entry.position);
    expect([...positions].sort((a, b) => b - a)).toEqual(positions);
  });

  it('pages through the audit without losing or repeating an entry', async () => {
    const seen: number[] = [];
    for (let page = 1; ; page += 1) {
      const { body } = await audit(`?page=${page}&pageSize=10`).expect(200);
      seen.push(...body.items.map((entry: { position: number }) => entry.position));
      if (!body.hasMore) break;
    }
    expect(seen).toHaveLength(27);
    expect(new Set(seen).size).toBe(27);
  });

  it('filters by type and by time, and redacts secrets', async () => {
    const linked = await audit('?type=PlayerLinked').expect(200);
    expect(linked.body.items).toHaveLength(1);
    expect(linked.body.items[0].data).toEqual({ playerId: 'abc', apiToken: '[redacted]' });
    const early = await audit(`?until=${encodeURIComponent(at(4))}`).expect(200);
    expect(early.body.items.map((entry: { occurredAt: string }) => entry.occurredAt)).toEqual([at(4), at(3), at(1), at(0)]);
  });

  it('replays the guild as it was at a moment', async () => {
    const { body } = await request(server).get(`/api/v1/guilds/${GUILD}/state?at=${encodeURIComponent(at(5))}`).set(bearer(OPERATOR_TOKEN)).expect(200);
    expect(body.state.activity).toEqual({
      events: 5,
      eventsByType: { GuildConfigured: 1, PlayerLinked: 1, WinsSynced: 3 },
      lastEventAt: at(5),
      lastPosition: body.position,
    });
    const before = await request(server).get(`/api/v1/guilds/${GUILD}/state?at=2020-01-01T00:00:00Z`).set(bearer(OPERATOR_TOKEN)).expect(200);
    expect(before.body.position).toBeNull();
    expect(before.body.state.activity.events).toBe(0);
  });

  it('answers 401 without a token and 403 to a token scoped to another guild', async () => {
    await request(server).get(`/api/v1/guilds/${GUILD}/audit`).expect(401);
    const token = createToken(herald, '42', [`audit:${OTHER_GUILD}`]);
    await waitForToken(server, token);
    const response = await audit('', token).expect(403);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    const allowed = createToken(herald, '42', [`audit:${GUILD}`]);
    await waitForToken(server, allowed);
    await audit('', allowed).expect(200);
  });

  it('prints the same audit from the CLI', () => {
    const lines = cli(herald, ['audit', '--guild', GUILD, '--until', at(3), '--json']).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).type)).toEqual(['WinsSynced', 'PlayerLinked', 'GuildConfigured']);
  });
});
