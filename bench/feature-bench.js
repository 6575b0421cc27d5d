'use strict';
// What the feature benches (wins-sync.js, imports.js, presence.js) share: Herald's compiled app and
// libraries from dist/ and starting its server, the fakes of test/fakes, running a bench file in a
// child process of its own, a bench file's command line, and its section of RESULTS.md.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { ROOT } = require('./harness');

const DIST = path.join(ROOT, 'dist');
/** Resolves packages as the root does (Nest, ws): the same copies the compiled Herald uses. */
const rootRequire = createRequire(path.join(ROOT, 'package.json'));

/** The compiled barrel of a Herald library (`libs/<lib>/src/index.js` under dist/). */
const libBarrel = (lib) => path.join(DIST, 'libs', lib, 'src', 'index.js');

/**
 * Herald's compiled `createHeraldApp` and the barrels of `libs` (by name), from dist/; throws,
 * naming what is not built, when any of them is missing.
 */
function loadBuiltHerald(libs) {
  const files = { app: path.join(DIST, 'apps', 'herald', 'src', 'create-herald-app.js'), ...Object.fromEntries(libs.map((lib) => [lib, libBarrel(lib)])) };
  const missing = Object.values(files).filter((file) => !fs.existsSync(file));
  if (missing.length > 0) throw new Error(`Herald not built: ${missing.map((f) => path.relative(ROOT, f)).join(', ')} (run \`npm run build\` at the root)`);
  const { app, ...barrels } = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, require(file)]));
  return { createHeraldApp: app.createHeraldApp, libs: barrels };
}

/**
 * Herald's server from `herald` (`loadConfig` and `createHeraldApp` of dist/) on a free loopback port:
 * its data in `dataDir`, logging nothing, no Discord gateway; `env` adds or overrides settings.
 */
async function startHeraldApp(herald, dataDir, env = {}) {
  const config = herald.loadConfig({ HERALD_DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', DISCORD_GATEWAY: 'off', ...env }, dataDir);
  const app = await herald.createHeraldApp(config);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

/** A fake upstream from test/fakes (`<name>.fake.ts`), its TypeScript run through test/support/register-ts.js as in the tests. */
function requireFake(name) {
  require(path.join(ROOT, 'test', 'support', 'register-ts.js'));
  return require(path.join(ROOT, 'test', 'fakes', `${name}.fake.ts`));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over every item, at most `size` at once; returns the results in the items' order. */
async function inPool(items, size, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/** Polls until `probe` (sync or async) gives a truthy value, and returns it. */
async function until(what, probe, timeoutMs, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(everyMs);
  }
}

/** Runs a bench file with `--json` in a child process (its own heap and event loop) and returns the result it printed. */
function resultOfChild(file, { quick = false } = {}) {
  const run = spawnSync(process.execPath, [file, '--json', ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`node ${path.basename(file)} exited with ${run.status ?? run.signal}`);
  return JSON.parse(run.stdout);
}

/** Runs a bench file's `main`; an error is printed and the process exits 1. */
function runMain(main) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

/** A bench file's result: as JSON with `--json` (what run.js reads), otherwise as the lines of `report`. */
function printResult(result, report) {
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(result));
  else console.log(report(result));
}

/** The markers around workload `letter`'s section of RESULTS.md; `only` is its name for `run.js --only`. */
function resultsSectionMarkers(letter, only) {
  return {
    letter,
    start: `<!-- ${letter}) is rewritten by run.js --write-results, and alone by \`node run.js --only ${only} --write-results\`. -->`,
    end: `<!-- end of ${letter}) -->`,
  };
}

/**
 * A workload's section of RESULTS.md, with its own date and machine (it may be rewritten alone):
 * `heading`, then the lines of `body(result, pass)`, or why it was not run.
 */
function resultsSectionLines(markers, heading, info, section, body) {
  const lines = [markers.start, heading, ''];
  const { result } = section;
  if (result.error) return [...lines, `Not run: ${result.error} — **MISS**`, '', markers.end];
  const pass = (ok) => (ok ? '**PASS**' : '**MISS**');
  const machine = [
    `- date: ${info.date}`,
    `- machine: ${info.cpu}, ${info.memory}, ${info.platform}; load average at start ${info.load}; node ${info.node}`,
  ];
  return [...lines, ...body(result, { pass, machine }), '', markers.end];
}

/** RESULTS.md with a workload's section and its verdict in the header line replaced, or the section added above the kept notes. */
function replaceResultsSection(text, markers, verdict, sectionText, keptNotesMarker) {
  const { letter } = markers;
  const header = new RegExp(String.raw`^(Herald against its targets: (?:(?!\s+${letter}\)).)*)(\s+${letter}\) (PASS|MISS))?(.*)$`, 'm');
  const withVerdict = text.replace(header, `$1  ${letter}) ${verdict}$4`);
  const start = withVerdict.indexOf(markers.start);
  const end = withVerdict.indexOf(markers.end);
  if (start >= 0 && end > start) return withVerdict.slice(0, start) + sectionText + withVerdict.slice(end + markers.end.length);
  const at = withVerdict.indexOf(keptNotesMarker);
  if (at < 0) return `${withVerdict.trimEnd()}\n\n${sectionText}\n`;
  return `${withVerdict.slice(0, at)}${sectionText}\n\n${withVerdict.slice(at)}`;
}

module.exports = { rootRequire, libBarrel, loadBuiltHerald, startHeraldApp, requireFake, sleep, inPool, until, resultOfChild, runMain, printResult, resultsSectionMarkers, resultsSectionLines, replaceResultsSection };
