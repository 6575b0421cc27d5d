import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it); playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const ARTIFACTS_DIR = join(__dirname, '..', 'artifacts');

/** The widths every page is looked at: a small phone and a desktop. */
export const SCREEN_WIDTHS = [360, 1280] as const;

/**
 * Headless Chromium as this machine allows it: no sandbox (CI runs as root), and no background
 * networking, whose connections the closed network would refuse at every start.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh browser profile (its own cookies) at a phone or desktop width. */
export function newBrowserSession(browser: Browser, baseURL: string, width: number = 1280): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width, height: width < 600 ? 780 : 900 } });
}

/** Saves a full-page screenshot under test/artifacts/ (not committed), named after the page and the width. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const path = join(ARTIFACTS_DIR, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
