'use strict';
// Timing, temp files and the loading of the root's better-sqlite3 and compiled Herald code.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const ROOT = path.resolve(__dirname, '..');
/** Resolves packages as the root does, so the raw reference and Herald share one better-sqlite3 (one SQLite build). */
const rootRequire = createRequire(path.join(ROOT, 'package.json'));

function betterSqlite3() {
  return rootRequire('better-sqlite3');
}

const HERALD_DIST = path.join(ROOT, 'dist', 'libs');

/** The compiled Herald libraries (`npm run build` at the root), or the reason they cannot be used. */
function loadHerald() {
  const barrels = ['eventstore', 'readstore', 'projections'].map((lib) => path.join(HERALD_DIST, lib, 'src', 'index.js'));
  const missing = barrels.filter((file) => !fs.existsSync(file));
  if (missing.length > 0) return { missing: `not built: ${missing.map((f) => path.relative(ROOT, f)).join(', ')} (run \`npm run build\` at the root)` };
  const [eventstore, readstore, projections] = barrels.map((file) => require(file));
  const absent = [
    ['createSqliteEventStore', eventstore],
    ['createSqliteReadStore', readstore],
    ['ProjectionRunner', projections],
  ].filter(([name, lib]) => typeof lib[name] !== 'function');
  if (absent.length > 0) return { missing: `dist/ does not export ${absent.map(([name]) => name).join(', ')} yet` };
  return {
    createSqliteEventStore: eventstore.createSqliteEventStore,
    createSqliteReadStore: readstore.createSqliteReadStore,
    ProjectionRunner: projections.ProjectionRunner,
  };
}

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
function tempDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `herald-bench-${label}-`));
  return { dir, file: (name) => path.join(dir, name), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function withTempDir(label, work) {
  const temp = tempDir(label);
  try {
    return await work(temp);
  } finally {
    temp.remove();
  }
}

/** Seconds taken by `work` (sync or async). */
async function timed(work) {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function formatRate(value) {
  return Math.round(value).toLocaleString('en-US');
}

/** The machine's CPU time from `/proc/stat` (Linux, in clock ticks): all of it, and what the hypervisor gave other guests. */
function machineTimes() {
  try {
    const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: ticks.reduce((sum, t) => sum + t, 0), steal: ticks[7] ?? 0 };
  } catch {
    return null;
  }
}

/**
 * The share of the machine's CPU time stolen by the hypervisor between two `machineTimes()`: on a
 * shared VM the figures fall with it, whatever the code does. `undefined` where it cannot be read.
 */
function stealShare(before, after) {
  if (!before || !after || after.total <= before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}

function formatShare(share) {
  return share === undefined ? 'unknown' : `${(100 * share).toFixed(0)} %`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

module.exports = { ROOT, betterSqlite3, loadHerald, tempDir, withTempDir, timed, formatRate, median, machineTimes, stealShare, formatShare };
