import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { RecordedEvent } from '@herald/core';
import { DiscordFake, type DiscordFakeSignIn, FAKE_DISCORD_APP } from '../fakes/discord.fake';
import { bearer, type HeraldUnderTest, OPERATOR_TOKEN, startHerald, type StartHeraldOptions } from '../support/herald-test-app';

/** The web console's server side in one process: Herald with its sign-in pointed at the fake Discord, and a small console build. */

export const PUBLIC_URL = 'http://herald.test';

/** A stand-in for `vite build` output: index.html, a hashed bundle, and a file beside index.html. */
export const CONSOLE_BUILD = {
  indexHtml: '<!doctype html><html lang="en"><head><title>Herald</title><script type="module" src="/assets/index-3f9a2c.js"></script></head><body><div id="app"></div></body></html>',
  bundlePath: '/assets/index-3f9a2c.js',
  bundle: 'document.getElementById("app").textContent = "Herald";',
  faviconPath: '/favicon.svg',
  favicon: '<svg xmlns="http://www.w3.org/2000/svg"/>',
} as const;

/** Writes the stand-in build to a new directory, for HERALD_WEB_DIR. */
export function writeConsoleBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), CONSOLE_BUILD.indexHtml);
  writeFileSync(join(dir, CONSOLE_BUILD.bundlePath), CONSOLE_BUILD.bundle);
  writeFileSync(join(dir, CONSOLE_BUILD.faviconPath), CONSOLE_BUILD.favicon);
  return dir;
}

/** Herald's settings for signing in with the fake Discord (and its bot, so the operator can register guilds). */
export function signInEnv(discord: DiscordFake): Record<string, string> {
  return {
    HERALD_PUBLIC_URL: PUBLIC_URL,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_TOKEN: 'test-bot-token',
    DISCORD_GATEWAY: 'off',
    DISCORD_CLIENT_ID: FAKE_DISCORD_APP.clientId,
    DISCORD_CLIENT_SECRET: FAKE_DISCORD_APP.clientSecret,
    DISCORD_OAUTH_AUTHORIZE_URL: discord.oauthAuthorizeUrl,
    DISCORD_OAUTH_TOKEN_URL: discord.oauthTokenUrl,
  };
}

/** What a browser holds after signing in: the session cookie as it sends it back, and what `/auth/session` told it. */
export interface SignedIn {
  /** `herald_session=<token>`. */
  cookie: string;
  token: string;
  csrfToken: string;
  session: Record<string, unknown>;
}

/** Every response header `Set-Cookie`, as one list. */
export function setCookies(response: request.Response): string[] {
  return ([] as string[]).concat(response.headers['set-cookie'] ?? []);
}

/** The `name=value` part of the Set-Cookie that sets `name`. */
export function cookieNamed(response: request.Response, name: string): string | undefined {
  return setCookies(response)
    .map((header) => header.split(';')[0])
    .find((pair) => pair.startsWith(`${name}=`));
}

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

export class ConsoleHarness {
  private constructor(
    readonly herald: HeraldUnderTest,
    readonly discord: DiscordFake,
    private readonly webDir: string,
  ) {}

  static async start(options: { env?: Record<string, string> } & StartHeraldOptions = {}): Promise<ConsoleHarness> {
    const discord = await DiscordFake.start();
    const webDir = writeConsoleBuild();
    const herald = await startHerald({ ...signInEnv(discord), HERALD_WEB_DIR: webDir, ...options.env }, { clock: options.clock });
    return new ConsoleHarness(herald, discord, webDir);
  }

  async close(): Promise<void> {
    await this.herald.close();
    await this.discord.stop();
    rmSync(this.webDir, { recursive: true, force: true });
  }

  /** A request with a bearer token (the operator's unless told). */
  call(method: Method, path: string, options: { token?: string; body?: unknown } = {}): request.Test {
    const call = request(this.herald.app.getHttpServer())[method](path).set(bearer(options.token ?? OPERATOR_TOKEN));
    return options.body === undefined ? call : call.send(options.body as object);
  }

  /** A request as the console makes it: with the session cookie, and the CSRF token unless told not to. */
  asBrowser(method: Method, path: string, browser: SignedIn, options: { csrf?: boolean; body?: unknown } = {}): request.Test {
    let call = request(this.herald.app.getHttpServer())[method](path).set('Cookie', browser.cookie);
    if (options.csrf ?? true) call = call.set('X-CSRF-Token', browser.csrfToken);
    return options.body === undefined ? call : call.send(options.body as object);
  }

  /** A guild the bot is in, registered with Herald by the operator. */
  async registerGuild(guildId: string, name: string): Promise<void> {
    this.discord.addGuild(guildId, { name });
    await this.call('put', `/api/v1/guilds/${guildId}`, { body: { name } }).expect(201);
    await this.herald.projections.waitUntilCaughtUp();
  }

  /**
   * The browser's trip: Herald's `/auth/discord`, the fake's authorize page (as `signIn`), then
   * Herald's callback with the state cookie (`tamper` may change what reaches it). Returns every
   * answer of the trip, the callback's last.
   */
  async discordTrip(
    signIn: DiscordFakeSignIn,
    tamper: (trip: { callback: URL; stateCookie: string | undefined }) => { callback: URL; stateCookie: string | undefined } = (trip) => trip,
  ): Promise<{ begun: request.Response; authorize: URL; callback: URL; landed: request.Response }> {
    this.discord.nextSignIn(signIn);
    const begun = await request(this.herald.app.getHttpServer()).get('/auth/discord').expect(302);
    const authorize = new URL(begun.headers.location as string);
    const authorized = await fetch(authorize, { redirect: 'manual' });
    if (authorized.status !== 302) throw new Error(`the fake Discord refused the authorize request: ${await authorized.text()}`);
    const delivered = tamper({ callback: new URL(authorized.headers.get('location')!), stateCookie: cookieNamed(begun, 'herald_sign_in_state') });
    const call = request(this.herald.app.getHttpServer()).get(delivered.callback.pathname + delivered.callback.search);
    const landed = await (delivered.stateCookie === undefined ? call : call.set('Cookie', delivered.stateCookie)).expect(302);
    return { begun, authorize, callback: delivered.callback, landed };
  }

  /** Signs `signIn`'s user in through the whole trip and reads their session, as the console does first. */
  async signIn(signIn: DiscordFakeSignIn): Promise<SignedIn> {
    const { landed } = await this.discordTrip(signIn);
    return this.sessionOf(landed);
  }

  /** The operator's console session. */
  async signInOperator(): Promise<SignedIn> {
    const answer = await request(this.herald.app.getHttpServer()).post('/auth/operator').send({ token: OPERATOR_TOKEN }).expect(204);
    return this.sessionOf(answer);
  }

  async events(type: string): Promise<RecordedEvent[]> {
    const events = await this.herald.eventStore.readAll({ maxCount: 100_000 });
    return events.filter((event) => event.type === type);
  }

  private async sessionOf(answer: request.Response): Promise<SignedIn> {
    const cookie = cookieNamed(answer, 'herald_session');
    if (!cookie) throw new Error(`no session cookie was set; Location: ${answer.headers.location}`);
    const session = await request(this.herald.app.getHttpServer()).get('/auth/session').set('Cookie', cookie).expect(200);
    return { cookie, token: cookie.slice('herald_session='.length), csrfToken: session.body.csrfToken as string, session: session.body };
  }
}
