'use strict';
// i) The web console's budget (issue 7): its JavaScript under 200 kB gzipped, and the first page
// rendered in under 1 s on loopback. Serves the built console (dist/web) from Herald's compiled
// server and opens it in Debian's headless Chromium, cold (a new profile) each time.
//   node console.js [--runs 7]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { performance } = require('node:perf_hooks');
const { ROOT } = require('./harness');
const { loadBuiltHerald, startHeraldApp } = require('./feature-bench');

// The tests' own launch of Debian's Chromium (flags this machine needs), its TypeScript run as in the tests.
require(path.join(ROOT, 'test', 'support', 'register-ts.js'));
const { launchChromium } = require(path.join(ROOT, 'test', 'support', 'browser.ts'));

const JS_BUDGET_BYTES = 200 * 1024;
const FIRST_RENDER_BUDGET_MS = 1000;
const OPERATOR_TOKEN = 'console-bench-operator-token';
const WEB_DIR = path.join(ROOT, 'dist', 'web');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;

/** Every JavaScript file of the build, gzipped as a server would send it. */
function javascriptSizes() {
  const assets = path.join(WEB_DIR, 'assets');
  if (!fs.existsSync(assets)) throw new Error('the console is not built: run `npm run build` at the root');
  return fs
    .readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .map((name) => {
      const raw = fs.readFileSync(path.join(assets, name));
      return { name, raw: raw.length, gzip: zlib.gzipSync(raw, { level: 9 }).length };
    });
}

/** Milliseconds from navigation start until `selector` is visible, in a cold browser profile. */
async function firstRender(browser, url, selector, prepare) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    if (prepare) await prepare(context);
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: 10_000 });
    return performance.now() - started;
  } finally {
    await context.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const sizes = javascriptSizes();
  const gzipTotal = sizes.reduce((sum, file) => sum + file.gzip, 0);
  const entry = sizes.find((file) => file.name.startsWith('index-'));
  console.log(`i) web console: ${sizes.length} JavaScript files, ${(sizes.reduce((s, f) => s + f.raw, 0) / 1024).toFixed(1)} kB raw`);
  console.log(`   all JavaScript gzipped: ${(gzipTotal / 1024).toFixed(1)} kB; budget 200 kB: ratio ${(gzipTotal / JS_BUDGET_BYTES).toFixed(3)} (${gzipTotal <= JS_BUDGET_BYTES ? 'PASS' : 'MISS'})`);
  if (entry) console.log(`   entry chunk (Vue, router, shell): ${(entry.gzip / 1024).toFixed(1)} kB gzipped`);

  const { libs, createHeraldApp } = loadBuiltHerald(['core']);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-console-bench-'));
  const app = await startHeraldApp({ loadConfig: libs.core.loadConfig, createHeraldApp }, dataDir, { HERALD_ADMIN_TOKEN: OPERATOR_TOKEN });
  const origin = await app.getUrl().then((url) => url.replace('[::1]', '127.0.0.1'));
  const browser = await launchChromium();
  try {
    const signIn = [];
    const operator = [];
    const signInAsOperator = async (context) => {
      const answer = await context.request.post(`${origin}/auth/operator`, { data: { token: OPERATOR_TOKEN } });
      if (answer.status() !== 204) throw new Error(`operator sign-in answered ${answer.status()}`);
    };
    for (let run = 0; run < runs; run++) {
      signIn.push(await firstRender(browser, `${origin}/sign-in`, '[data-test="sign-in-discord"]'));
      operator.push(await firstRender(browser, `${origin}/operator`, '[data-test^="projection-"]', signInAsOperator));
    }
    for (const [name, times] of [['sign-in page (signed out)', signIn], ['operator page (signed in, data loaded)', operator]]) {
      const ms = median(times);
      console.log(
        `   first render, ${name}: median ${ms.toFixed(0)} ms of ${runs} cold loads (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); ` +
          `budget 1 s: ratio ${(ms / FIRST_RENDER_BUDGET_MS).toFixed(3)} (${ms <= FIRST_RENDER_BUDGET_MS ? 'PASS' : 'MISS'})`,
      );
    }
  } finally {
    await browser.close();
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
