import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { loadConfig } from '@herald/core';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import { ProjectionRunner } from '@herald/projections';
import { createHeraldApp } from '../../apps/herald/src/create-herald-app';
import { FAKE_CLIENT, FitbitFake, type FitbitFakeOptions } from '../fakes/fitbit.fake';
import { bearer, type HeraldUnderTest, OPERATOR_TOKEN, startHerald, type StartHeraldOptions } from '../support/herald-test-app';

/** The imports REST API of an in-process Herald against the fake Fitbit (API and OAuth server in one). */

export const PUBLIC_URL = 'http://herald.test';
export const CALLBACK_URL = `${PUBLIC_URL}/api/v1/plugins/fitbit/callback`;

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** Herald pointed at the fake, with the app's credentials in the environment (as FITBIT_CLIENT_ID / _SECRET). */
export function fitbitEnv(fitbit: FitbitFake, credentials: 'env' | 'none' = 'env'): Record<string, string> {
  return {
    FITBIT_API_URL: fitbit.url,
    FITBIT_AUTH_URL: fitbit.url,
    HERALD_PUBLIC_URL: PUBLIC_URL,
    DISCORD_GATEWAY: 'off',
    ...(credentials === 'env' ? { FITBIT_CLIENT_ID: FAKE_CLIENT.clientId, FITBIT_CLIENT_SECRET: FAKE_CLIENT.clientSecret } : {}),
  };
}

/** What the browser saw of a connection attempt. */
export interface BrowserTrip {
  /** Where the callback sent the browser: the console's Integrations page, with `?connected=` or `?error=`. */
  result: URL;
  /** The callback URL the provider sent the browser to (state, code or error). */
  callback: URL;
  /** The HttpOnly binding cookie Herald set (`name=value`). */
  cookie: string;
}

export class ImportsHarness {
  private constructor(
    readonly herald: HeraldUnderTest,
    readonly fitbit: FitbitFake,
  ) {}

  static async start(
    options: { fitbit?: FitbitFakeOptions; env?: Record<string, string>; credentials?: 'env' | 'none' } & StartHeraldOptions = {},
  ): Promise<ImportsHarness> {
    const fitbit = await FitbitFake.start({ redirectUris: [CALLBACK_URL], ...options.fitbit });
    const herald = await startHerald({ ...fitbitEnv(fitbit, options.credentials), ...options.env }, { clock: options.clock });
    return new ImportsHarness(herald, fitbit);
  }

  async close(): Promise<void> {
    await this.herald.close();
    await this.fitbit.stop();
  }

  get app(): NestExpressApplication {
    return this.herald.app;
  }

  /** A request to Herald with a bearer token (the operator's unless told). */
  call(method: Method, path: string, options: { token?: string; body?: unknown } = {}): request.Test {
    const call = request(this.app.getHttpServer())[method](path).set(bearer(options.token ?? OPERATOR_TOKEN));
    return options.body === undefined ? call : call.send(options.body as object);
  }

  /** A personal token for `userId` (scope `user:<userId>`), usable at once. */
  async tokenFor(userId: string): Promise<string> {
    const issued = await this.call('post', `/api/v1/users/${userId}/tokens`, { body: {} }).expect(201);
    await this.catchUp();
    return issued.body.token as string;
  }

  catchUp(): Promise<void> {
    return this.herald.projections.waitUntilCaughtUp();
  }

  /**
   * The browser's trip through a connection: Herald's auth route (with the user's token), the
   * fake's authorize page, then Herald's callback with the cookie, unless `tamper` changes what
   * reaches the callback.
   */
  async connect(
    apiToken: string,
    tamper: (trip: { callback: URL; cookie: string }) => { callback: URL; cookie: string | null } = (trip) => trip,
  ): Promise<BrowserTrip> {
    const { callback, cookie } = await this.beginAndAuthorize(apiToken);
    const delivered = tamper({ callback, cookie });
    const result = await this.deliverCallback(delivered.callback, delivered.cookie);
    return { result, callback, cookie };
  }

  /** Herald's auth route and the fake's authorize page: the callback URL the browser is sent to, and Herald's cookie. */
  async beginAndAuthorize(apiToken: string): Promise<{ callback: URL; cookie: string }> {
    const begun = await this.call('get', '/api/v1/plugins/fitbit/auth', { token: apiToken }).expect(302);
    const cookie = bindingCookie(begun.headers['set-cookie']);
    const authorized = await fetch(begun.headers.location as string, { redirect: 'manual' });
    if (authorized.status !== 302) throw new Error(`the fake refused the authorization: ${await authorized.text()}`);
    return { callback: new URL(authorized.headers.get('location')!), cookie };
  }

  /** The browser arriving at Herald's callback (with the cookie, or without); where Herald sends it next. */
  async deliverCallback(callback: URL, cookie: string | null): Promise<URL> {
    const call = request(this.app.getHttpServer()).get(callback.pathname + callback.search);
    const response = await (cookie === null ? call : call.set('Cookie', cookie)).expect(302);
    return new URL(response.headers.location as string, PUBLIC_URL);
  }

  /** A user connected through the whole flow, and their API token. */
  async connectedUser(userId: string, fitbitUserId: string): Promise<string> {
    const apiToken = await this.tokenFor(userId);
    this.fitbit.nextAuthorization({ userId: fitbitUserId });
    const { result } = await this.connect(apiToken);
    if (result.searchParams.has('error')) throw new Error(`connecting ${userId} failed: ${result.searchParams.get('error')}`);
    await this.catchUp();
    return apiToken;
  }

  async events(type?: string) {
    const events = await this.herald.eventStore.readAll({ maxCount: 100_000 });
    return type === undefined ? events : events.filter((event) => event.type === type);
  }
}

/** `name=value` of Herald's binding cookie from Set-Cookie headers. */
export function bindingCookie(setCookie: string | string[] | undefined): string {
  const headers = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
  const found = headers.find((header) => header.startsWith('herald_oauth_fitbit='));
  if (!found) throw new Error(`no binding cookie in ${JSON.stringify(headers)}`);
  return found.split(';')[0];
}

/** A second Herald process on the same data directory (and master key), as a second instance would be. */
export async function startSecondHerald(first: HeraldUnderTest, env: Record<string, string>): Promise<{ app: NestExpressApplication; eventStore: EventStore; projections: ProjectionRunner }> {
  const config = loadConfig(
    { HERALD_DATA_DIR: first.dataDir, HERALD_ADMIN_TOKEN: OPERATOR_TOKEN, LOG_LEVEL: 'silent', PORT: '0', HERALD_POLL_INTERVAL_MS: '50', ...env },
    first.dataDir,
  );
  const app = await createHeraldApp(config);
  await app.listen(0, '127.0.0.1');
  return { app, eventStore: app.get<EventStore>(EVENT_STORE), projections: app.get(ProjectionRunner) };
}
