'use strict';
// CPU per appended event with a server's live subscriptions following the log, against the same
// appends with no subscription (the reference), in one process, on Herald's compiled SQLite store.
//   node subscriptions.js            5 rounds of 5,000 single-event appends per configuration
//   node subscriptions.js --quick    5 rounds of 1,000 (smoke test; figures noisier)
// Prints each configuration's median CPU time per appended event (user + system), the median
// overhead of the subscriptions per event, and the ratio to the reference.
const { randomUUID } = require('node:crypto');
const { loadHerald, withTempDir, median } = require('./harness');

const quick = process.argv.includes('--quick');
const APPENDS = quick ? 1_000 : 5_000;
const WARM_UP = 500;
const ROUNDS = 5;
const HISTORY = 20_000;
const USERS = 500;

/** What a server subscribes with: its projections' and reactors' filters (default batch size). */
const SERVER_SUBSCRIPTIONS = [
  { name: 'api-tokens projection', filter: { eventTypes: ['ApiTokenIssued', 'ApiTokenRevoked'] } },
  {
    name: 'presence projection',
    filter: { streamPrefixes: ['presence-', 'user-'], eventTypes: ['PresenceChanged', 'PresencePrivacyChanged', 'UserFollowed', 'UserUnfollowed'] },
  },
  { name: 'wins projection', filter: { eventTypes: ['PlayerLinked', 'PlayerUnlinked', 'WinsSynced', 'MemberRolesReconciled'] } },
  {
    name: 'fronting projection',
    filter: { streamPrefixes: ['system-'], eventTypes: ['FrontingSettingsChanged', 'FrontersObserved', 'SwitchPosted', 'SwitchPostFailed', 'PluralKitAlreadyInSync'] },
  },
  { name: 'daily-metrics projection', filter: { eventTypes: ['DailyMetricsImported'] } },
  { name: 'integrations projection', filter: { eventTypes: ['IntegrationConnected', 'IntegrationDisconnected', 'DailyMetricsImported'] } },
  {
    name: 'presence feed',
    filter: { streamPrefixes: ['presence-', 'user-'], eventTypes: ['PresenceChanged', 'PresencePrivacyChanged', 'UserFollowed', 'UserUnfollowed'] },
  },
  { name: 'fronting log follower', filter: { streamPrefixes: ['system-'], eventTypes: ['FrontingSettingsChanged', 'FrontersObserved'] } },
];

/** The live mix of a busy server: mostly presence and fronting, some wins and imports. */
const EVENT_KINDS = [
  { type: 'PresenceChanged', stream: (u) => `presence-${u}`, data: (i) => ({ status: ['online', 'away', 'dnd', 'in_studio'][i % 4], previousStatus: 'online', message: `bar:${i}`, daw: 'Ableton', reason: 'manual' }) },
  { type: 'PresenceChanged', stream: (u) => `presence-${u}`, data: (i) => ({ status: 'online', previousStatus: 'away', message: null, daw: null, reason: 'connect' }) },
  { type: 'FrontersObserved', stream: (u) => `system-${u}`, data: (i) => ({ fronters: [{ id: `m${i % 7}`, pluralKitId: 'abcde' }, { id: 'm9', pluralKitId: 'fghijk' }], observedAt: new Date(i).toISOString() }) },
  { type: 'SwitchPosted', stream: (u) => `system-${u}`, data: (i) => ({ switchId: randomUUID(), members: ['abcde', 'fghijk'], timestamp: new Date(i).toISOString() }) },
  { type: 'WinsSynced', stream: (u) => `guildmember-1234567890_${u}`, data: (i) => ({ playerId: 'Ab3dE6gH', countingMode: 'total', previousWins: i, wins: i + 1, newWins: 1, newSessionIds: ['Zx9Yw8Vu'], syncedAt: new Date(i).toISOString() }) },
  { type: 'DailyMetricsImported', stream: (u) => `integration-${u}_fitbit`, data: () => ({ pluginId: 'fitbit', day: '2026-01-02', metrics: { steps: 9000, restingHeartRate: 60 } }) },
];

function eventAt(index) {
  const kind = EVENT_KINDS[index % EVENT_KINDS.length];
  const user = `u${(index * 7919) % USERS}`;
  return {
    streamId: kind.stream(user),
    event: {
      id: randomUUID(),
      type: kind.type,
      data: kind.data(index),
      metadata: { userId: user, actorId: user, source: 'rest', correlationId: randomUUID(), causationId: randomUUID(), occurredAt: new Date(1_767_225_600_000 + index).toISOString(), schemaVersion: 1 },
    },
  };
}

/** The port's filter semantics (prefixes OR-ed, types OR-ed, both AND-ed), to know what each subscription must receive. */
function matches(filter, streamId, type) {
  if (filter.streamPrefixes && !filter.streamPrefixes.some((prefix) => streamId.startsWith(prefix))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(type)) return false;
  return true;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Appends `count` single events with their real revisions, one per event-loop turn (as requests
 * arrive on a server), with `subscriptions` following from the head, and waits until each has
 * received every event it matches. Returns the process's CPU seconds and wall seconds for it all.
 */
async function measure(store, log, count, subscriptions) {
  const head = (await store.headPosition()) ?? 0;
  const planned = Array.from({ length: count }, () => eventAt(log.next++));
  const followers = subscriptions.map(({ filter }) => {
    const expected = planned.filter(({ streamId, event }) => matches(filter, streamId, event.type)).length;
    const subscription = store.subscribeToAll({ afterPosition: head, filter });
    const done = (async () => {
      let received = 0;
      if (expected === 0) return;
      for await (const batch of subscription) {
        received += batch.length;
        if (received >= expected) return;
      }
    })();
    return { subscription, done };
  });

  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const { streamId, event } of planned) {
    const expectedRevision = log.revisions.has(streamId) ? log.revisions.get(streamId) : 'no_stream';
    const result = await store.append(streamId, [event], { expectedRevision });
    log.revisions.set(streamId, result.nextExpectedRevision);
    await nextTurn();
  }
  await Promise.all(followers.map((follower) => follower.done));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all(followers.map((follower) => follower.subscription.close()));
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds };
}

async function main() {
  const herald = loadHerald();
  if (herald.missing) {
    console.error(herald.missing);
    process.exit(1);
  }
  await withTempDir('subscriptions', async (temp) => {
    // NORMAL: no fsync per append, so the figure is CPU and the run is short; the work per append is the same.
    const store = await herald.createSqliteEventStore({ path: temp.file('events.sqlite'), synchronous: 'NORMAL' });
    const log = { next: 0, revisions: new Map() };
    try {
      for (let written = 0; written < HISTORY; written += 100) {
        const events = Array.from({ length: 100 }, () => eventAt(log.next++).event);
        await store.append(`history-${written}`, events, { expectedRevision: 'no_stream' });
      }
      await measure(store, log, WARM_UP, []);
      await measure(store, log, WARM_UP, SERVER_SUBSCRIPTIONS);

      const reference = [];
      const subscribed = [];
      for (let round = 0; round < ROUNDS; round++) {
        reference.push(await measure(store, log, APPENDS, []));
        subscribed.push(await measure(store, log, APPENDS, SERVER_SUBSCRIPTIONS));
      }
      const perEvent = (runs) => median(runs.map((run) => (run.cpuSeconds / APPENDS) * 1e6));
      const wallPerEvent = (runs) => median(runs.map((run) => (run.wallSeconds / APPENDS) * 1e6));
      const overheads = subscribed.map((run, i) => ((run.cpuSeconds - reference[i].cpuSeconds) / APPENDS) * 1e6);

      console.log(`subscriptions: CPU per appended event, ${ROUNDS} rounds of ${APPENDS} single-event appends (synchronous=NORMAL, ${HISTORY} events of history)`);
      console.log(`  reference, no subscription:           ${perEvent(reference).toFixed(1)} µs CPU/event (${wallPerEvent(reference).toFixed(1)} µs wall)`);
      console.log(`  ${SERVER_SUBSCRIPTIONS.length} live subscriptions (a server's):     ${perEvent(subscribed).toFixed(1)} µs CPU/event (${wallPerEvent(subscribed).toFixed(1)} µs wall)`);
      console.log(`  overhead of the subscriptions:        ${median(overheads).toFixed(1)} µs CPU/event`);
      console.log(`  ratio to the reference:               ${(perEvent(subscribed) / perEvent(reference)).toFixed(2)} ×`);
      console.log(`  rounds (µs CPU/event, subscribed):    ${subscribed.map((run) => ((run.cpuSeconds / APPENDS) * 1e6).toFixed(1)).join(', ')}`);
    } finally {
      await store.close();
    }
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
