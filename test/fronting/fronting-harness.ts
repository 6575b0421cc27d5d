import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { streams } from '@herald/core';
import { PluralKitFake, type PluralKitFakeOptions, type PluralKitSystemSeed } from '../fakes/pluralkit.fake';
import { SimplyPluralFake, type SimplyPluralSystemSeed } from '../fakes/simplyplural.fake';
import { bearer, type HeraldUnderTest, OPERATOR_TOKEN, startHerald } from '../support/herald-test-app';

/** SimplyPlural document ids of the fixture members and custom front (test/fixtures/simplyplural/README.md). */
export const SP = {
  alice: '6650aa00000000000000a001',
  bob: '6650aa00000000000000a002',
  claire: '6650aa00000000000000a003',
  dana: '6650aa00000000000000a004',
  eli: '6650aa00000000000000a005',
  blurry: '6650cf00000000000000c001',
} as const;

/** Short windows so a test waits milliseconds where production waits seconds. */
export const FAST_FRONTING_ENV: Record<string, string> = {
  SIMPLYPLURAL_DEBOUNCE_MS: '20',
  // Long: tests see what the websocket triggers; the ones about the safety net shorten it.
  SIMPLYPLURAL_REFRESH_INTERVAL_MS: '600000',
  SIMPLYPLURAL_PING_INTERVAL_MS: '200',
  SIMPLYPLURAL_RETRY_BASE_DELAY_MS: '20',
  SIMPLYPLURAL_AUTH_FAILURE_PAUSE_MS: '600000',
  PLURALKIT_COALESCE_QUIET_MS: '150',
  PLURALKIT_COALESCE_MAX_DELAY_MS: '1000',
  PLURALKIT_RETRY_BASE_DELAY_MS: '5',
  PLURALKIT_FAILED_POST_RETRY_MS: '300',
};

/** A token shaped like the real ones: 48 random bytes in base64, 64 characters. */
export function randomToken(): string {
  return randomBytes(48).toString('base64');
}

export interface FrontingUser {
  userId: string;
  /** Herald personal token for `/api/v1/me/...`. */
  apiToken: string;
  simplyPluralToken: string;
  pluralKitToken: string;
}

export type Method = 'get' | 'patch' | 'post';

/** An in-process Herald with its fronting updater running against fake SimplyPlural and PluralKit servers. */
export class FrontingHarness {
  private constructor(
    readonly herald: HeraldUnderTest,
    readonly simplyPlural: SimplyPluralFake,
    readonly pluralKit: PluralKitFake,
  ) {}

  static async start(
    options: { env?: Record<string, string>; pluralKit?: PluralKitFakeOptions; pluralKitUrl?: (fake: PluralKitFake) => Promise<string> } = {},
  ): Promise<FrontingHarness> {
    const simplyPlural = await SimplyPluralFake.start();
    const pluralKit = await PluralKitFake.start(options.pluralKit);
    const herald = await startHerald({
      SIMPLYPLURAL_API_URL: simplyPlural.url,
      PLURALKIT_API_URL: options.pluralKitUrl ? await options.pluralKitUrl(pluralKit) : pluralKit.url,
      ...FAST_FRONTING_ENV,
      ...options.env,
    });
    return new FrontingHarness(herald, simplyPlural, pluralKit);
  }

  async close(): Promise<void> {
    await this.herald.close();
    await this.simplyPlural.stop();
    await this.pluralKit.stop();
  }

  call(method: Method, path: string, options: { token?: string; body?: unknown } = {}): request.Test {
    const call = request(this.herald.app.getHttpServer())[method](path).set(bearer(options.token ?? OPERATOR_TOKEN));
    return options.body === undefined ? call : call.send(options.body as object);
  }

  /**
   * A user with a Herald token and a system in each fake (seeded from the fixtures unless told),
   * not yet set up in Herald. `pluralKit: null` leaves the PluralKit token unknown to PluralKit.
   */
  async user(
    userId: string,
    seeds: { simplyPlural?: SimplyPluralSystemSeed; pluralKit?: PluralKitSystemSeed | null } = {},
  ): Promise<FrontingUser> {
    const issued = await this.call('post', `/api/v1/users/${userId}/tokens`, { body: {} }).expect(201);
    await this.herald.projections.waitUntilCaughtUp();
    const user = { userId, apiToken: issued.body.token as string, simplyPluralToken: randomToken(), pluralKitToken: randomToken() };
    this.simplyPlural.addSystem(user.simplyPluralToken, seeds.simplyPlural);
    if (seeds.pluralKit !== null) this.pluralKit.addSystem(user.pluralKitToken, seeds.pluralKit);
    return user;
  }

  /** Gives Herald both tokens and turns the updater on, in one request. */
  async enable(user: FrontingUser): Promise<void> {
    await this.call('patch', '/api/v1/me/fronting', {
      token: user.apiToken,
      body: { simplyPluralToken: user.simplyPluralToken, pluralKitToken: user.pluralKitToken, enableToPluralKit: true },
    }).expect(200);
  }

  /** `GET /api/v1/me/updaters` once the read models caught up with the log. */
  async updaters(user: FrontingUser): Promise<{ pluralkit: { status: string; lastOperationError: string | null; lastSwitchAt: string | null } }> {
    await this.herald.projections.waitUntilCaughtUp();
    const response = await this.call('get', '/api/v1/me/updaters', { token: user.apiToken }).expect(200);
    return response.body;
  }

  /** Types of the events on the user's system stream, in order. */
  async eventTypes(user: FrontingUser): Promise<string[]> {
    return (await this.herald.eventStore.readStream(streams.system(user.userId))).map((event) => event.type);
  }

  async eventsOf(user: FrontingUser, type: string): Promise<Array<{ type: string; data: Record<string, unknown>; position: number }>> {
    return (await this.herald.eventStore.readStream(streams.system(user.userId))).filter((event) => event.type === type);
  }

  /** Switches Herald posted for the user, oldest first. */
  postedSwitches(user: FrontingUser): unknown[][] {
    return this.pluralKit.requests
      .filter((r) => r.method === 'POST' && r.path === '/v2/systems/@me/switches' && r.status === 200 && r.headers.authorization === user.pluralKitToken)
      .map((r) => (r.body as { members: unknown[] }).members);
  }

  /** PluralKit requests made with the user's token. */
  pluralKitRequests(user: FrontingUser, filter: { method?: string; status?: number } = {}): number {
    return this.pluralKit.requests.filter(
      (r) =>
        r.headers.authorization === user.pluralKitToken &&
        (filter.method === undefined || r.method === filter.method) &&
        (filter.status === undefined || r.status === filter.status),
    ).length;
  }

  /** REST reads of the user's fronters at SimplyPlural. */
  frontersReads(user: FrontingUser): number {
    return this.simplyPlural.requests.filter((r) => r.path === '/v1/fronters' && r.headers.authorization === user.simplyPluralToken).length;
  }
}
