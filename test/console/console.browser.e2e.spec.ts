import { type Browser, type BrowserContext, type Page, selectors } from 'playwright-core';
import request from 'supertest';
import type { RecordedEvent } from '@herald/core';
import { DISCORD_PERMISSIONS, DiscordFake, type DiscordFakeSignIn, FAKE_DISCORD_APP } from '../fakes/discord.fake';
import { FAKE_CLIENT, FitbitFake } from '../fakes/fitbit.fake';
import { PluralKitFake } from '../fakes/pluralkit.fake';
import { SimplyPluralFake } from '../fakes/simplyplural.fake';
import { waitFor } from '@herald/core/testing';
import { FAST_FRONTING_ENV, randomToken } from '../fronting/fronting-harness';
import { fitbitEnv } from '../imports/imports-harness';
import { launchChromium, newBrowserSession, saveScreenshot, SCREEN_WIDTHS } from '../support/browser';
import { freePort } from '../support/free-port';
import { bearer, type HeraldUnderTest, OPERATOR_TOKEN, startHerald } from '../support/herald-test-app';
import { signInEnv } from './console-harness';

/**
 * The web console as people use it: the built Vue app served by Herald, driven in headless
 * Chromium, signing in through the fake Discord and reaching the fake Fitbit, SimplyPlural and
 * PluralKit. Every assertion is on what the page shows, what the log holds or what the fakes saw.
 */

const GUILD = { id: '613425648685547600', name: 'OpenFront fans' };
const OTHER_GUILD = { id: '613425648685547700', name: 'Elsewhere' };
const ROLE = '613425648685547601';
const ALICE: DiscordFakeSignIn = {
  user: { id: '80351110224678912', username: 'alice', global_name: 'Alice' },
  guilds: [{ id: GUILD.id, name: GUILD.name, permissions: DISCORD_PERMISSIONS.administrator }],
};
const BOB: DiscordFakeSignIn = {
  user: { id: '80351110224678913', username: 'bob', global_name: 'Bob' },
  guilds: [
    { id: GUILD.id, name: GUILD.name, permissions: DISCORD_PERMISSIONS.none },
    { id: OTHER_GUILD.id, name: OTHER_GUILD.name, owner: true },
  ],
};
const FITBIT_USER = 'BRWSR1';

describe('the web console in a browser', () => {
  let herald: HeraldUnderTest;
  let discord: DiscordFake;
  let fitbit: FitbitFake;
  let simplyPlural: SimplyPluralFake;
  let pluralKit: PluralKitFake;
  let browser: Browser;
  let origin: string;
  let alice: BrowserContext;
  let bob: BrowserContext;
  /** Every response body a browser received, to look for secrets in. */
  const received: string[] = [];
  const fronting = { simplyPluralToken: randomToken(), pluralKitToken: randomToken() };

  beforeAll(async () => {
    selectors.setTestIdAttribute('data-test');
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    [discord, fitbit, simplyPlural, pluralKit, browser] = await Promise.all([
      DiscordFake.start(),
      FitbitFake.start({ redirectUris: [`${origin}/api/v1/plugins/fitbit/callback`] }),
      SimplyPluralFake.start(),
      PluralKitFake.start(),
      launchChromium(),
    ]);
    simplyPlural.addSystem(fronting.simplyPluralToken);
    pluralKit.addSystem(fronting.pluralKitToken);
    fitbit.addUser(FITBIT_USER, { generated: true });
    herald = await startHerald(
      {
        ...fitbitEnv(fitbit),
        ...signInEnv(discord),
        ...FAST_FRONTING_ENV,
        SIMPLYPLURAL_API_URL: simplyPlural.url,
        PLURALKIT_API_URL: pluralKit.url,
        HERALD_PUBLIC_URL: origin,
      },
      { port },
    );
    for (const guild of [GUILD, OTHER_GUILD]) {
      discord.addGuild(guild.id, { name: guild.name });
      await operatorCall('put', `/api/v1/guilds/${guild.id}`).send({ name: guild.name }).expect(201);
    }
    await herald.projections.waitUntilCaughtUp();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.close();
    await Promise.all([discord?.stop(), fitbit?.stop(), simplyPlural?.stop(), pluralKit?.stop()]);
  });

  function operatorCall(method: 'get' | 'put', path: string): request.Test {
    return request(herald.app.getHttpServer())[method](path).set(bearer(OPERATOR_TOKEN));
  }

  async function events(type: string): Promise<RecordedEvent[]> {
    return (await herald.eventStore.readAll({ maxCount: 100_000 })).filter((event) => event.type === type);
  }

  async function browserSession(width: number = 1280): Promise<BrowserContext> {
    const context = await newBrowserSession(browser, origin, width);
    // Shorter than the test's own timeout, so a missing control fails with its name.
    context.setDefaultTimeout(10_000);
    context.on('response', (response) => {
      response
        .text()
        .then((text) => received.push(text))
        .catch(() => undefined);
    });
    return context;
  }

  /** Through the sign-in page, the fake Discord's authorize page and back to the console. */
  async function signIn(as: DiscordFakeSignIn): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browserSession();
    const page = await context.newPage();
    await page.goto('/');
    await page.waitForURL(/\/sign-in/);
    discord.nextSignIn(as);
    await page.getByTestId('sign-in-discord').click();
    await page.waitForURL(`${origin}/`);
    await expectText(page.getByTestId('session-name'), as.user.global_name!);
    return { context, page };
  }

  async function expectText(locator: ReturnType<Page['getByTestId']>, text: string | RegExp): Promise<void> {
    await locator.first().waitFor();
    await waitFor(`"${String(text)}" is shown`, async () => {
      const shown = (await locator.first().textContent()) ?? '';
      return typeof text === 'string' ? shown.includes(text) : text.test(shown);
    });
  }

  it('signs in through Discord into a session held only in an HttpOnly, SameSite=Lax cookie', async () => {
    ({ context: alice } = await signIn(ALICE));

    const [session] = (await alice.cookies()).filter((cookie) => cookie.name === 'herald_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    const issued = (await events('ApiTokenIssued')).filter((event) => event.streamId === `user-${ALICE.user.id}`);
    expect(issued.map((event) => event.data.label)).toEqual(['web console session']);
  });

  it('shows a status set in one browser to a follower in another browser, live', async () => {
    ({ context: bob } = await signIn(BOB));
    const bobPage = bob.pages()[0];
    await bobPage.getByTestId('follow-user-id').fill(ALICE.user.id);
    await bobPage.getByTestId('follow-submit').click();
    await bobPage.getByTestId(`followed-${ALICE.user.id}`).waitFor();
    await expectText(bobPage.getByTestId('live-state'), 'Live');

    const alicePage = alice.pages()[0];
    await alicePage.getByTestId('status-select').selectOption('dnd');
    await alicePage.getByTestId('status-message').fill('mixing the new track');
    await alicePage.getByTestId('status-daw').fill('Ableton Live');
    await alicePage.getByTestId('status-save').click();
    await alicePage.getByTestId('status-success').waitFor();

    const followed = bobPage.getByTestId(`followed-${ALICE.user.id}`);
    await waitFor('Bob sees Alice as dnd', async () => (await followed.getAttribute('data-status')) === 'dnd');
    await expectText(followed.getByTestId('followed-message'), 'mixing the new track');
    const changes = await events('PresenceChanged');
    expect(changes.filter((event) => event.streamId === `presence-${ALICE.user.id}`).pop()?.data).toMatchObject({
      status: 'dnd',
      message: 'mixing the new track',
      daw: 'Ableton Live',
      reason: 'manual',
    });
  });

  it('saves fronting tokens, shows them only as set, and the updater reaches SimplyPlural', async () => {
    const page = alice.pages()[0];
    await page.getByTestId('nav-fronting').click();
    await page.getByTestId('pluralkit-members-note').waitFor();
    await page.getByTestId('simplyplural-token').fill(fronting.simplyPluralToken);
    await page.getByTestId('pluralkit-token').fill(fronting.pluralKitToken);
    await page.getByTestId('enable-to-pluralkit').check();
    await page.getByTestId('fronting-save').click();
    await page.getByTestId('fronting-success').waitFor();

    await expectText(page.getByTestId('simplyplural-token-state'), fronting.simplyPluralToken.slice(-4));
    expect(await page.getByTestId('simplyplural-token').inputValue()).toBe('');
    expect(await page.getByTestId('pluralkit-token').inputValue()).toBe('');
    expect(await page.content()).not.toContain(fronting.simplyPluralToken);
    await waitFor('the updater read the fronters with the saved token', () =>
      simplyPlural.requests.some((r) => r.headers.authorization === fronting.simplyPluralToken),
    10_000);
    const updater = page.getByTestId('updater-status');
    await waitFor('the page shows the updater running', async () => (await updater.getAttribute('data-status')) === 'running', 10_000);
  });

  it('connects the fake Fitbit and charts the imported days', async () => {
    const page = alice.pages()[0];
    await page.getByTestId('nav-integrations').click();
    fitbit.nextAuthorization({ userId: FITBIT_USER });
    await page.getByTestId('plugin-fitbit').getByTestId('plugin-connect').click();
    await page.waitForURL(/\/integrations\?connected=fitbit/);
    await expectText(page.getByTestId('connect-landing'), /connected/i);

    await page.getByTestId('plugin-fitbit').getByTestId('plugin-sync').click();
    const bars = page.getByTestId('chart-fitbit-steps').locator('rect');
    await waitFor('the steps chart has a week of bars', async () => (await bars.count()) >= 7, 15_000);
    expect(fitbit.requests.some((r) => r.kind === 'steps' && r.userId === FITBIT_USER)).toBe(true);
    expect((await events('IntegrationConnected')).some((event) => event.streamId.includes(ALICE.user.id))).toBe(true);
  });

  it('adds a role threshold on the guild page of a guild the user administers', async () => {
    const page = alice.pages()[0];
    await page.getByTestId(`nav-guild-${GUILD.id}`).click();
    await page.getByTestId('threshold-wins').fill('10');
    await page.getByTestId('threshold-role').fill(ROLE);
    await page.getByTestId('threshold-add').click();
    await page.getByTestId('threshold-10').waitFor();

    const set = (await events('RoleThresholdSet')).pop();
    expect(set).toMatchObject({ streamId: expect.stringContaining(GUILD.id), data: { wins: 10, roleId: ROLE } });
    expect(set?.metadata).toMatchObject({ actorId: ALICE.user.id });
  });

  it('reads an audit entry for each of those actions', async () => {
    const page = alice.pages()[0];
    await page.reload();
    const guildEntry = page.locator('[data-test="audit-entry"][data-type="RoleThresholdSet"]');
    await guildEntry.first().waitFor();

    await page.getByTestId('nav-history').click();
    for (const type of ['PresenceChanged', 'FrontingSettingsChanged', 'IntegrationConnected', 'ApiTokenIssued']) {
      await page.locator(`[data-test="audit-entry"][data-type="${type}"]`).first().waitFor();
    }
  });

  it('refuses a write without the CSRF token, and keeps a non-admin off another guild', async () => {
    const alicePage = alice.pages()[0];
    const answer = await alicePage.evaluate(async () => {
      const response = await fetch('/api/v1/presence/status', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: 'online' }),
      });
      return { status: response.status, body: await response.text() };
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('CSRF');
    await herald.projections.waitUntilCaughtUp();
    const last = (await events('PresenceChanged')).filter((event) => event.streamId === `presence-${ALICE.user.id}`).pop();
    expect(last?.data.status).toBe('dnd');

    const bobPage = bob.pages()[0];
    await bobPage.goto(`/guilds/${GUILD.id}`);
    await bobPage.getByTestId('guild-forbidden').waitFor();
    const settings = await bob.request.get(`/api/v1/guilds/${GUILD.id}/settings`);
    expect(settings.status()).toBe(403);
    const audit = await bob.request.get(`/api/v1/guilds/${GUILD.id}/audit`);
    expect(audit.status()).toBe(403);
    // Bob owns the other guild: that one is his to run.
    expect((await bob.request.get(`/api/v1/guilds/${OTHER_GUILD.id}/settings`)).status()).toBe(200);
  });

  it('lets the operator sign in from the keyboard alone, list projections and rebuild one', async () => {
    const context = await browserSession();
    const page = await context.newPage();
    await page.goto('/sign-in');
    const operatorToken = page.getByTestId('operator-token');
    for (let presses = 0; presses < 12 && !(await operatorToken.evaluate((field) => field === field.ownerDocument.activeElement)); presses++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(OPERATOR_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/operator/);
    const row = page.getByTestId('projection-api-tokens');
    await row.waitFor();
    await row.getByTestId('projection-rebuild-button').click();
    await expectText(row.getByTestId('projection-rebuild'), /rebuilt/i);
    for (const width of SCREEN_WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 780 : 900 });
      await assertNoSidewaysScroll(page, 'operator');
      await saveScreenshot(page, 'operator');
    }
    await context.close();
  });

  it('never sends a token or secret back to the browser', async () => {
    const cookies = [...(await alice.cookies()), ...(await bob.cookies())].filter((cookie) => cookie.name === 'herald_session');
    const secrets = [
      ...cookies.map((cookie) => cookie.value),
      OPERATOR_TOKEN,
      FAKE_DISCORD_APP.clientSecret,
      fronting.simplyPluralToken,
      fronting.pluralKitToken,
      ...discord.issuedOAuthSecrets,
      ...fitbit.issuedSecrets,
      FAKE_CLIENT.clientSecret,
    ];
    expect(received.length).toBeGreaterThan(20);
    for (const secret of secrets) {
      const leaks = received.filter((body) => body.includes(secret));
      expect({ secret: secret.slice(0, 6), leaks: leaks.length }).toEqual({ secret: secret.slice(0, 6), leaks: 0 });
    }
  });

  it('saves a screenshot of every page at 360 px and 1280 px', async () => {
    const pages = [
      ['status', '/', 'current-status'],
      ['fronting', '/fronting', 'updater-status'],
      ['integrations', '/integrations', 'plugin-fitbit'],
      ['guild', `/guilds/${GUILD.id}`, 'threshold-wins'],
      ['history', '/history', 'audit-entry'],
    ] as const;
    for (const width of SCREEN_WIDTHS) {
      const page = await alice.newPage();
      await page.setViewportSize({ width, height: width < 600 ? 780 : 900 });
      for (const [name, path, ready] of pages) {
        await page.goto(path);
        await page.getByTestId(ready).first().waitFor();
        await assertNoSidewaysScroll(page, name);
        await assertEveryControlLabelled(page, name);
        await saveScreenshot(page, name);
      }
      await page.close();

      const signedOut = await newBrowserSession(browser, origin, width);
      const signInPage = await signedOut.newPage();
      await signInPage.goto('/sign-in?error=access_denied');
      await signInPage.getByTestId('sign-in-error').waitFor();
      await saveScreenshot(signInPage, 'sign-in');
      await signedOut.close();
    }
  }, 60_000);

  /** Every visible control has an accessible name: a label, aria-label(ledby), or a button's text. */
  async function assertEveryControlLabelled(page: Page, name: string): Promise<void> {
    const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea, button')]
      .filter((control) => control.offsetParent !== null && control.type !== 'hidden')
      .filter((control) => !(control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby')
        || (control.tagName === 'BUTTON' && control.textContent.trim())))
      .map((control) => control.outerHTML.slice(0, 120))`);
    expect({ page: name, unlabelled }).toEqual({ page: name, unlabelled: [] });
  }

  async function assertNoSidewaysScroll(page: Page, name: string): Promise<void> {
    // A string, evaluated in the page: this file is type-checked without the DOM's types.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect({ page: name, overflow }).toEqual({ page: name, overflow: 0 });
  }
});
