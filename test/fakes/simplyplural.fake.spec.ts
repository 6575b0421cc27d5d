import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import fixtureFronters from '../fixtures/simplyplural/fronters.json';
import fixtureMembers from '../fixtures/simplyplural/members.json';
import { SIMPLYPLURAL_FIXTURE_UID, SIMPLYPLURAL_PERMISSION, SimplyPluralFake } from './simplyplural.fake';

const TOKEN = randomBytes(48).toString('base64');
const ALICE = '6650aa00000000000000a001';
const BOB = '6650aa00000000000000a002';
const ELI = '6650aa00000000000000a005';
const BLURRY = '6650cf00000000000000c001';

/** A websocket client that keeps every text frame it receives. */
class SocketClient {
  readonly received: string[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(data.toString());
      this.wake();
    });
    ws.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(url: string): Promise<SocketClient> {
    const ws = new WebSocket(url);
    const client = new SocketClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Waits for a frame that satisfies `match`, among those received so far or to come. */
  next(match: (frame: string) => boolean, timeoutMs = 2_000): Promise<string> {
    return this.waitFor(() => this.received.find(match), timeoutMs, 'a matching frame');
  }

  async untilClosed(timeoutMs = 2_000): Promise<void> {
    await this.waitFor(() => this.closed || undefined, timeoutMs, 'the socket to close');
  }

  async authenticate(token: string): Promise<Record<string, unknown>> {
    this.ws.send(JSON.stringify({ op: 'authenticate', token }));
    return JSON.parse(await this.next((frame) => /authenticat/i.test(frame))) as Record<string, unknown>;
  }

  private async waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`waited in vain for ${what}; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

describe('SimplyPluralFake', () => {
  let fake: SimplyPluralFake;
  const clients: SocketClient[] = [];
  const connect = async () => {
    const client = await SocketClient.open(fake.socketUrl);
    clients.push(client);
    return client;
  };
  /** `authorization` null: send no Authorization header. */
  const get = (path: string, authorization: string | null = TOKEN) =>
    fetch(`${fake.url}${path}`, { headers: authorization === null ? {} : { Authorization: authorization } });

  beforeEach(async () => {
    fake = await SimplyPluralFake.start();
    fake.addSystem(TOKEN);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    await fake.stop();
  });

  describe('REST', () => {
    it('serves the fixtures to the token, with the raw token as Authorization', async () => {
      const fronters = await get('/v1/fronters/');
      expect(fronters.status).toBe(200);
      expect(await fronters.json()).toEqual(fixtureFronters);
      expect(await (await get(`/v1/members/${SIMPLYPLURAL_FIXTURE_UID}`)).json()).toEqual(fixtureMembers);
      const customFronts = (await (await get(`/v1/customFronts/${SIMPLYPLURAL_FIXTURE_UID}`)).json()) as { id: string }[];
      expect(customFronts.map((front) => front.id)).toEqual([BLURRY, '6650cf00000000000000c002']);
      expect(await (await get('/v1/me')).json()).toMatchObject({ id: SIMPLYPLURAL_FIXTURE_UID, content: { uid: SIMPLYPLURAL_FIXTURE_UID } });
    });

    it.each([
      { case: 'no Authorization header', authorization: null, text: 'An authorization token is required.' },
      { case: 'an unknown token', authorization: randomBytes(48).toString('base64'), text: 'Authorization token is missing or invalid.' },
      { case: 'a Bearer prefix', authorization: `Bearer ${TOKEN}`, text: 'Authorization token is missing or invalid.' },
    ])('answers $case with a plain-text 401', async ({ authorization, text }) => {
      const response = await get('/v1/fronters', authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toBe(text);
    });

    it('answers a token without read permission with a plain-text 401', async () => {
      const writeOnly = randomBytes(48).toString('base64');
      fake.addSystem(writeOnly, { permission: SIMPLYPLURAL_PERMISSION.write });
      const response = await get('/v1/fronters', writeOnly);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('Authorization token does not have the requested permissions.');
    });

    it('answers a revoked token as an unknown one', async () => {
      fake.revokeToken(TOKEN);
      expect((await get('/v1/fronters')).status).toBe(401);
    });

    it("refuses another system's members with a plain-text 403", async () => {
      const response = await get('/v1/members/someoneElse');
      expect(response.status).toBe(403);
      expect(await response.text()).toBe('You are not authorized to see members of this user');
    });

    it('gives a second system a uid of its own and moves the fixtures to it', async () => {
      const other = randomBytes(48).toString('base64');
      const { uid } = fake.addSystem(other);
      expect(uid).not.toBe(SIMPLYPLURAL_FIXTURE_UID);
      const members = (await (await get(`/v1/members/${uid}`, other)).json()) as { content: { uid: string } }[];
      expect(members).toHaveLength(fixtureMembers.length);
      expect(members.every((member) => member.content.uid === uid)).toBe(true);
    });

    it('reflects fronters set by the test, keeping the entries of those who stay', async () => {
      fake.setFronters(TOKEN, [BOB, ELI]);
      const fronters = (await (await get('/v1/fronters')).json()) as { id: string; content: { member: string; live: boolean } }[];
      expect(fronters.map((entry) => entry.content.member)).toEqual([BOB, ELI]);
      expect(fronters[0].id).toBe('673f1a000000000000000104');
      expect(fronters.every((entry) => entry.content.live)).toBe(true);
    });

    it('refuses to put an unknown id in front, to catch mistakes in tests', () => {
      expect(() => fake.setFronters(TOKEN, ['nobody'])).toThrow(/neither a member nor a custom front/);
    });

    it('answers every request with the injected status while a fault lasts', async () => {
      fake.failRequests(502, 2);
      expect((await get('/v1/fronters')).status).toBe(502);
      expect((await get('/v1/fronters')).status).toBe(502);
      expect((await get('/v1/fronters')).status).toBe(200);
    });

    it('logs every request and counts them by path', async () => {
      await get('/v1/fronters');
      await get('/v1/fronters/');
      await get(`/v1/members/${SIMPLYPLURAL_FIXTURE_UID}`);
      await get('/v1/unknown');
      expect(fake.count({ path: '/v1/fronters' })).toBe(2);
      expect(fake.count({ path: /^\/v1\/members\//, status: 200 })).toBe(1);
      expect(fake.count({ status: 404 })).toBe(1);
      expect(fake.requests.map((request) => request.status)).toEqual([200, 200, 200, 404]);
      expect(fake.requests[0].headers.authorization).toBe(TOKEN);
    });
  });

  describe('websocket', () => {
    it('greets with an empty object, then answers a bare ping with a bare pong', async () => {
      const client = await connect();
      await client.next((frame) => frame === '{}');
      client.ws.send('ping');
      await client.next((frame) => frame === 'pong');
      expect(fake.socketStats.pings).toBe(1);
    });

    it('authenticates a known token', async () => {
      const client = await connect();
      expect(await client.authenticate(TOKEN)).toEqual({
        msg: 'Successfully authenticated',
        resolvedToken: { uid: SIMPLYPLURAL_FIXTURE_UID, accessType: 7, jwt: false },
      });
      expect(fake.authenticatedSocketCount(TOKEN)).toBe(1);
    });

    it('answers a bad token with an authentication violation and closes the socket', async () => {
      const client = await connect();
      expect(await client.authenticate('not-a-token')).toEqual({
        msg: 'Authentication violation: Token is missing or invalid. Goodbye :)',
      });
      await client.untilClosed();
      expect(fake.socketStats.authenticationFailures).toBe(1);
    });

    it.each([
      { sent: 'hello', answer: 'Invalid message, cannot parse Json.' },
      { sent: '{"token":"x"}', answer: "Missing 'op' in message." },
    ])('answers $sent with "$answer"', async ({ sent, answer }) => {
      const client = await connect();
      client.ws.send(sent);
      expect(JSON.parse(await client.next((frame) => frame.includes('msg')))).toEqual({ msg: answer });
    });

    it('pushes a front change to the authenticated sockets of that system only', async () => {
      const client = await connect();
      await client.authenticate(TOKEN);
      const other = randomBytes(48).toString('base64');
      fake.addSystem(other);
      const bystander = await connect();
      await bystander.authenticate(other);

      fake.setFronters(TOKEN, [ALICE, BOB, BLURRY, ELI]);
      const updates = async (operationType: string) =>
        JSON.parse(await client.next((frame) => frame.includes(`"operationType":"${operationType}"`))) as {
          msg: string;
          target: string;
          results: { operationType: string; id: string; content: Record<string, unknown> }[];
        };
      const ended = await updates('update');
      expect(ended).toMatchObject({ msg: 'update', target: 'frontHistory' });
      expect(ended.results[0].content).toMatchObject({ live: false, endTime: expect.any(Number) });
      const started = await updates('insert');
      expect(started.results[0].content).toMatchObject({ member: ELI, live: true, custom: false });
      expect(bystander.received.filter((frame) => frame.includes('frontHistory'))).toEqual([]);
    });

    it('pushes member changes with the members target', async () => {
      const client = await connect();
      await client.authenticate(TOKEN);
      fake.updateMember(TOKEN, ALICE, { pkId: 'zzzzz' });
      const frame = JSON.parse(await client.next((text) => text.includes('"target":"members"'))) as {
        results: { operationType: string; id: string; content: { pkId: string } }[];
      };
      expect(frame.results).toEqual([expect.objectContaining({ operationType: 'update', id: ALICE, content: expect.objectContaining({ pkId: 'zzzzz' }) })]);
    });

    it('forwards any message the test pushes', async () => {
      const client = await connect();
      await client.authenticate(TOKEN);
      fake.push(TOKEN, { msg: 'notification', title: 'Hi', message: 'there' });
      await client.next((frame) => frame.includes('notification'));
    });

    it('drops every socket without a close frame', async () => {
      const client = await connect();
      await client.authenticate(TOKEN);
      fake.dropAllSockets();
      await client.untilClosed();
      expect(fake.openSocketCount()).toBe(0);
    });

    it('refuses sockets on any other path', async () => {
      await expect(SocketClient.open(`${fake.url.replace('http', 'ws')}/v1/other`)).rejects.toThrow(/400/);
    });
  });

  describe('outage', () => {
    it('answers REST with 503, refuses and drops sockets, then recovers', async () => {
      const client = await connect();
      await client.authenticate(TOKEN);
      fake.setOutage(true);
      await client.untilClosed();
      expect((await get('/v1/fronters')).status).toBe(503);
      await expect(SocketClient.open(fake.socketUrl)).rejects.toThrow(/503/);

      fake.setOutage(false);
      expect((await get('/v1/fronters')).status).toBe(200);
      const again = await connect();
      await again.authenticate(TOKEN);
      expect(fake.socketStats).toEqual({ opened: 2, authenticated: 2, authenticationFailures: 0, pings: 0 });
    });
  });
});
