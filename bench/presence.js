'use strict';
// Workload g), issue 5 bar 5: 5,000 presence sockets on loopback, each user following 20 others;
// 500 status changes per second for 30 s, each sent over the changing user's socket
// (`{"type":"status"}`), then the same load through `PUT /api/v1/presence/status`; the delivery
// latency of every update (change sent → follower's socket received it), the updates lost, the
// server's RSS; then 20,000 heartbeats per second, over REST and over the sockets, and the events
// they appended (none is the bar).
// Three processes: Herald's server from the compiled dist/ (seeded through the app), the clients
// (every socket and every request, so send and receive times share one clock), and this one,
// which drives both over IPC and reads the server's RSS from /proc.
//   node presence.js          runs it and prints the figures
//   node presence.js --json   runs it and prints its result as JSON (what run.js reads)
//   --quick                   500 sockets, 50 changes/s for 10 s, 2,000 heartbeats/s (smoke test; not comparable)
//   --rate <n>                n status changes per second instead of the bar's 500 (to find the rate the bar holds at)
//   --warm-up <s>             seconds of the same load before the timed run (default 5; 0: start cold)
//   --over rest               the bar's changes through REST instead of the sockets (then no separate REST row)
//   BENCH_PROFILE_DIR=<dir>   writes a CPU profile of the server there, and prints the phase boundaries on its clock
const { fork } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { formatShare, machineTimes, stealShare, tempDir } = require('./harness');
const { rootRequire, loadBuiltHerald, startHeraldApp, sleep, inPool, runMain, printResult, resultsSectionMarkers, resultsSectionLines, replaceResultsSection } = require('./feature-bench');

const QUICK = process.argv.includes('--quick');
const PLAN = QUICK
  ? { users: 500, follows: 20, changesPerSecond: 50, changeSeconds: 10, heartbeatsPerSecond: 2_000, heartbeatSeconds: 5 }
  : { users: 5_000, follows: 20, changesPerSecond: 500, changeSeconds: 30, heartbeatsPerSecond: 20_000, heartbeatSeconds: 10 };
const option = (name) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
PLAN.changesPerSecond = option('--rate') ?? PLAN.changesPerSecond;
/**
 * Seconds of the bar's load before the timed run, reported apart and not judged: the server's first
 * status changes run through code the JIT has not optimised yet (the seeding took other paths), and
 * on this machine the queue they build takes a few seconds to drain (0: none).
 */
PLAN.warmUpSeconds = option('--warm-up') ?? (QUICK ? 2 : 5);
/** How the bar's changes travel: over the changing user's socket, or through `PUT /api/v1/presence/status`. */
PLAN.changesOver = process.argv.includes('--over') ? process.argv[process.argv.indexOf('--over') + 1] : 'socket';
if (!['socket', 'rest'].includes(PLAN.changesOver)) throw new Error('--over takes socket or rest');
/** A second run at a rate this machine keeps up with, to show where the latency bar holds (0: none). */
PLAN.heldRate = option('--held-rate') ?? (QUICK ? 20 : 200);
const BAR = { p99Ms: 100, lost: 0 };
/** Requests in flight at once: status changes, then REST heartbeats. */
const CHANGES_IN_FLIGHT = 64;
const HEARTBEATS_IN_FLIGHT = 256;
/** Sockets opening at once while connecting. */
const CONNECTS_IN_FLIGHT = 100;
/** A change over a socket that gets no answer in this long counts as failed (0), as a failed connection does over REST. */
const SOCKET_ANSWER_TIMEOUT_MS = 30_000;
/** After the last change, updates still on their way get this long to arrive. */
const DRAIN_MS = 5_000;

const now = () => performance.timeOrigin + performance.now();
const userId = (index) => `7${String(index).padStart(17, '0')}`;
/** User i follows the next `follows` users (wrapping round): everyone has exactly `follows` followers. */
const followeesOf = (index) => Array.from({ length: PLAN.follows }, (_, k) => (index + 1 + k) % PLAN.users);

//////// The server process ////////

function loadHerald() {
  const { createHeraldApp, libs } = loadBuiltHerald(['core', 'identity', 'presence', 'projections', 'eventstore']);
  return {
    createHeraldApp,
    loadConfig: libs.core.loadConfig,
    TokenService: libs.identity.TokenService,
    followsDecider: libs.presence.followsDecider,
    streams: libs.core.streams,
    newEventId: libs.core.newEventId,
    ProjectionRunner: libs.projections.ProjectionRunner,
    EVENT_STORE: libs.eventstore.EVENT_STORE,
  };
}

async function serverProcess() {
  const herald = loadHerald();
  const dir = process.env.BENCH_DATA_DIR;
  const app = await startHeraldApp(herald, dir);
  const store = app.get(herald.EVENT_STORE);
  // How long the server's event loop was held up between two `usage` calls: what delays every message.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let lastUtilization = performance.eventLoopUtilization();
  const handlers = {
    async seed() {
      const started = Date.now();
      const tokens = app.get(herald.TokenService);
      const context = { source: 'cli', correlationId: 'bench-presence', actorId: 'bench' };
      const issued = await inPool(Array.from({ length: PLAN.users }, (_, i) => i), 32, (i) => tokens.issue({ userId: userId(i), context }));
      // Each user's follows in one append, decided one by one as FollowUserCommand decides them.
      await inPool(Array.from({ length: PLAN.users }, (_, i) => i), 32, (i) => appendFollows(store, herald, userId(i), followeesOf(i).map(userId), context));
      await app.get(herald.ProjectionRunner).waitUntilCaughtUp(600_000);
      const file = path.join(dir, 'tokens.json');
      fs.writeFileSync(file, JSON.stringify(issued.map((token) => token.token)));
      return { tokensFile: file, seconds: (Date.now() - started) / 1000, follows: PLAN.users * PLAN.follows };
    },
    async head() {
      return { head: await store.headPosition() };
    },
    /** A user's presence events as the log has them (to tell where a lost update was lost). */
    async presenceStream({ user }) {
      const events = await store.readStream(herald.streams.presence(userId(user)));
      return events.map((event) => ({ revision: event.revision, position: event.position, type: event.type, status: event.data.status, message: event.data.message, reason: event.data.reason }));
    },
    async usage() {
      // With BENCH_PROFILE_DIR: the time of each phase boundary, on the clock of the CPU profile (µs).
      if (process.env.BENCH_PROFILE_DIR) console.error(`profile mark ${process.hrtime.bigint() / 1000n}`);
      const cpu = process.cpuUsage();
      // Busy share of the event loop since the last call: CPU time also counts GC threads and the
      // kernel's loopback work, which do not hold updates back.
      const busy = performance.eventLoopUtilization(lastUtilization);
      lastUtilization = performance.eventLoopUtilization();
      const loop = { p50Ms: loopDelay.percentile(50) / 1e6, meanMs: loopDelay.mean / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6, utilization: busy.utilization };
      loopDelay.reset();
      return { rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6, loop };
    },
    async caughtUp() {
      await app.get(herald.ProjectionRunner).waitUntilCaughtUp(600_000);
      return {};
    },
    async stop() {
      await app.close();
      // Leave once the answer is out: a profile (BENCH_PROFILE_DIR) is written on a normal exit.
      setTimeout(() => process.exit(0), 100);
      return {};
    },
  };
  serveIpc(handlers);
  process.send({ type: 'ready', port: app.getHttpServer().address().port });
}

/** Appends the user's follows after their token (revision 0), as the follows decider decides them. */
async function appendFollows(store, herald, followerId, followeeIds, context) {
  let state = herald.followsDecider.initialState();
  const events = [];
  for (const followeeId of followeeIds) {
    const decided = herald.followsDecider.decide({ type: 'FollowUser', followerId, followeeId }, state);
    state = decided.reduce(herald.followsDecider.evolve, state);
    events.push(...decided);
  }
  const metadata = { ...context, userId: followerId, occurredAt: new Date().toISOString(), schemaVersion: 1 };
  await store.append(herald.streams.user(followerId), events.map((event) => ({ id: herald.newEventId(), ...event, metadata })), { expectedRevision: 0 });
}

//////// The clients process ////////

async function clientsProcess() {
  const WebSocket = rootRequire('ws');
  // FIFO: each request takes the connection idle longest, so none idles into the server's keep-alive
  // timeout (5 s) and gets closed just as a request goes out on it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: HEARTBEATS_IN_FLIGHT, scheduling: 'fifo' });
  let port;
  let tokens = [];
  const sockets = [];
  /** Send time of each change of the current run, by its sequence number (the message text is `<run>:<seq>`). */
  let run = '';
  let sentAt = new Float64Array(0);
  /** The HTTP status each change was answered with (0: the connection failed). */
  let answerStatus = new Uint16Array(0);
  let received = new Uint8Array(0);
  let latencies = [];
  /** For each latency, when its change was sent (s after the run's start). */
  let sentOffsets = [];
  /** The slowest update of the run: which change, and when it was sent (s after the run's start). */
  let slowest = { latencyMs: 0, seq: -1, sentAfterSeconds: 0 };
  let runStartedAt = 0;
  let duplicates = 0;
  let strays = 0;
  /** Requests retried after the server closed their reused connection, and connection errors by code. */
  let connectionRetries = 0;
  let connectionErrors = {};
  /** Sockets the server closed after they were ready (none should be). */
  const dropped = [];
  /** Changes sent over a socket and not answered yet, by request id. */
  const awaitingAnswer = new Map();

  function onMessage(data) {
    const at = now();
    const message = JSON.parse(data.toString());
    if (message.type === 'status-set' || message.type === 'error') {
      awaitingAnswer.get(message.requestId)?.(message.type === 'status-set' ? 200 : 400);
      awaitingAnswer.delete(message.requestId);
      return;
    }
    if (message.type !== 'presence') return;
    const [ofRun, text] = String(message.message).split(':');
    const seq = Number(text);
    if (ofRun !== run || !Number.isInteger(seq) || seq >= sentAt.length || sentAt[seq] === 0) {
      strays += 1;
      return;
    }
    const latency = at - sentAt[seq];
    latencies.push(latency);
    sentOffsets.push((sentAt[seq] - runStartedAt) / 1000);
    if (latency > slowest.latencyMs) slowest = { latencyMs: latency, seq, sentAfterSeconds: (sentAt[seq] - runStartedAt) / 1000 };
    if (received[seq] >= PLAN.follows) duplicates += 1;
    else received[seq] += 1;
  }

  /**
   * One request; resolves with its status, 0 when the connection failed. A reused keep-alive
   * connection the server closed as the request went out is retried once on a fresh one, as Node's
   * documentation advises for `ECONNRESET` on `reusedSocket` (the latency still counts from the first try).
   */
  function request(method, pathname, token, body, retried = false) {
    return new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: pathname,
          agent,
          headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', (error) => {
        if (!retried && req.reusedSocket && error.code === 'ECONNRESET') {
          connectionRetries += 1;
          resolve(request(method, pathname, token, body, true));
          return;
        }
        connectionErrors[error.code ?? error.message] = (connectionErrors[error.code ?? error.message] ?? 0) + 1;
        resolve(0);
      });
      req.end(payload);
    });
  }

  /** A status change over the user's socket; resolves like `request`: 200 answered, 400 refused, 0 no answer. */
  function socketChange(user, body) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        awaitingAnswer.delete(body.requestId);
        resolve(0);
      }, SOCKET_ANSWER_TIMEOUT_MS);
      awaitingAnswer.set(body.requestId, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
      sockets[user].send(JSON.stringify({ type: 'status', ...body }));
    });
  }

  /**
   * Sends `perSecond` requests a second, at most `inFlight` at once: all `perSecond × seconds` of
   * them however long it takes, or with `timeBound` only those due within `seconds` (a server slower
   * than the rate then answers fewer). Returns what was sent and answered, and how long it took.
   */
  async function openLoop({ perSecond, seconds, inFlight, send, timeBound = false }) {
    let total = Math.round(perSecond * seconds);
    const started = now();
    let next = 0;
    let active = 0;
    let ok = 0;
    let failed = 0;
    /** Answers other than 2xx, by status (0: the connection failed). */
    const failures = {};
    await new Promise((resolve) => {
      const pump = () => {
        const elapsed = (now() - started) / 1000;
        if (timeBound && elapsed >= seconds) total = next;
        const due = Math.min(total, Math.floor(elapsed * perSecond) + 1);
        while (next < due && active < inFlight) {
          const seq = next++;
          active += 1;
          send(seq).then((status) => {
            active -= 1;
            if (status >= 200 && status < 300) ok += 1;
            else {
              failed += 1;
              failures[status] = (failures[status] ?? 0) + 1;
            }
            if (next >= total && active === 0) resolve();
          });
        }
        if (next < total) setTimeout(pump, 1);
        else if (active === 0) resolve();
      };
      pump();
    });
    return { sent: total, ok, failed, failures, seconds: (now() - started) / 1000 };
  }

  const handlers = {
    async connect({ port: serverPort, tokensFile }) {
      port = serverPort;
      tokens = JSON.parse(fs.readFileSync(tokensFile, 'utf8'));
      const started = now();
      const opened = await inPool(tokens, CONNECTS_IN_FLIGHT, (token) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { perMessageDeflate: false });
          ws.once('error', reject);
          ws.once('close', (code, reason) => reject(new Error(`socket closed: ${code} ${reason}`)));
          ws.once('message', (data) => {
            if (JSON.parse(data.toString()).type !== 'ready') return reject(new Error(`first message was not ready: ${data}`));
            ws.removeAllListeners('close');
            ws.on('close', (code) => dropped.push({ user: sockets.indexOf(ws), code, afterSeconds: runStartedAt ? (now() - runStartedAt) / 1000 : null }));
            ws.on('message', onMessage);
            resolve(ws);
          });
        }),
      );
      // In the tokens' order: user i's changes go over sockets[i].
      sockets.push(...opened);
      return { sockets: sockets.length, seconds: (now() - started) / 1000 };
    },
    async changes({ perSecond, seconds, name, over }) {
      // Open the connections first: a burst of new ones to a busy server overflows its listen queue,
      // and a dropped SYN is retried after 1, 2, 4 s: a TCP artefact, not a delivery time.
      if (over === 'rest') await Promise.all(Array.from({ length: CHANGES_IN_FLIGHT }, () => request('GET', '/health', tokens[0])));
      const total = perSecond * seconds;
      run = name;
      sentAt = new Float64Array(total);
      answerStatus = new Uint16Array(total);
      received = new Uint8Array(total);
      latencies = [];
      sentOffsets = [];
      duplicates = 0;
      strays = 0;
      connectionRetries = 0;
      connectionErrors = {};
      slowest = { latencyMs: 0, seq: -1, sentAfterSeconds: 0 };
      runStartedAt = now();
      // The clients' own event loop delays what they receive too: measured, to tell it from the server's.
      const clientLoopDelay = monitorEventLoopDelay({ resolution: 5 });
      clientLoopDelay.enable();
      const answers = [];
      const cpuBefore = process.cpuUsage();
      const load = await openLoop({
        perSecond,
        seconds,
        inFlight: CHANGES_IN_FLIGHT,
        send: async (seq) => {
          const user = seq % PLAN.users;
          sentAt[seq] = now();
          const change = { status: ['in_studio', 'online', 'away', 'dnd'][seq % 4], message: `${name}:${seq}` };
          const status =
            over === 'rest'
              ? await request('PUT', '/api/v1/presence/status', tokens[user], change)
              : await socketChange(user, { requestId: change.message, ...change });
          answers.push(now() - sentAt[seq]);
          answerStatus[seq] = status;
          return status;
        },
      });
      const deadline = now() + DRAIN_MS;
      while (latencies.length < total * PLAN.follows && now() < deadline) await sleep(20);
      const cpu = process.cpuUsage(cpuBefore);
      clientLoopDelay.disable();
      let lost = 0;
      /** The first changes that did not reach every follower: which user, how many got it, the answer. */
      const incomplete = [];
      for (let seq = 0; seq < total; seq += 1) {
        lost += PLAN.follows - received[seq];
        if (received[seq] < PLAN.follows && incomplete.length < 5) incomplete.push({ seq, user: seq % PLAN.users, received: received[seq], answered: answerStatus[seq] });
      }
      return {
        ...load,
        expected: total * PLAN.follows,
        delivered: latencies.length - duplicates,
        lost,
        incomplete,
        socketsDropped: [...dropped],
        connectionRetries,
        connectionErrors,
        duplicates,
        strays,
        latency: percentiles(latencies),
        latencyBySecond: latencyBySecond(latencies, sentOffsets),
        slowest,
        answer: percentiles(answers),
        clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
        clientLoopDelay: { p99Ms: clientLoopDelay.percentile(99) / 1e6, maxMs: clientLoopDelay.max / 1e6 },
      };
    },
    async restHeartbeats() {
      return openLoop({
        perSecond: PLAN.heartbeatsPerSecond,
        seconds: PLAN.heartbeatSeconds,
        inFlight: HEARTBEATS_IN_FLIGHT,
        timeBound: true,
        send: (seq) => request('POST', '/api/v1/presence/heartbeat', tokens[seq % tokens.length]),
      });
    },
    async socketHeartbeats() {
      const total = PLAN.heartbeatsPerSecond * PLAN.heartbeatSeconds;
      const started = now();
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((now() - started) / 1000) * PLAN.heartbeatsPerSecond) + 1);
        for (; sent < due; sent += 1) sockets[sent % sockets.length].send('{"type":"heartbeat"}');
        await sleep(5);
      }
      // Wait until the server has read them all: everything written has left the client's buffers.
      while (sockets.some((ws) => ws.bufferedAmount > 0)) await sleep(5);
      return { sent, seconds: (now() - started) / 1000 };
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      agent.destroy();
      return {};
    },
  };
  serveIpc(handlers);
  process.send({ type: 'ready' });
}

function percentiles(values) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1], count: sorted.length };
}

//////// Plumbing ////////

/** Answers `{ id, call, args }` messages with `{ id, result }` or `{ id, error }`. */
function serveIpc(handlers) {
  process.on('message', ({ id, call, args }) => {
    handlers[call](args).then(
      (result) => process.send({ id, result }),
      (error) => process.send({ id, error: error instanceof Error ? error.stack : String(error) }),
    );
  });
}

function child(role, env = {}) {
  const profile = role === '--server' && process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const proc = fork(__filename, [role, ...process.argv.slice(2)], { env: { ...process.env, ...env }, execArgv: profile, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let sequence = 0;
  const pending = new Map();
  const ready = new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    proc.on('message', (message) => {
      if (message.type === 'ready') return resolve(message);
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${role}: ${message.error}`));
      else waiter.resolve(message.result);
    });
  });
  return {
    proc,
    ready,
    call(call, args = {}) {
      return new Promise((resolve, reject) => {
        const id = ++sequence;
        pending.set(id, { resolve, reject });
        proc.send({ id, call, args });
      });
    },
  };
}

/** The server's resident set now, from /proc (what `ps` shows), in bytes. */
function rssOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

//////// The driver ////////

async function run() {
  const temp = tempDir('presence');
  const server = child('--server', { BENCH_DATA_DIR: temp.dir });
  const clients = child('--clients');
  try {
    const { port } = await server.ready;
    await clients.ready;
    const seeded = await server.call('seed');
    const idleRss = rssOf(server.proc.pid);
    const connected = await clients.call('connect', { port, tokensFile: seeded.tokensFile });
    await server.call('caughtUp');
    const connectedRss = rssOf(server.proc.pid);

    let peakRss = connectedRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server.proc.pid))), 250);
    const changeRun = async (name, perSecond, over, seconds = PLAN.changeSeconds) => {
      await server.call('caughtUp');
      const before = await server.call('usage');
      const machineBefore = machineTimes();
      const changes = await clients.call('changes', { name, perSecond, seconds, over });
      const steal = stealShare(machineBefore, machineTimes());
      const after = await server.call('usage');
      changes.incompleteStreams = [];
      for (const { user } of changes.incomplete) changes.incompleteStreams.push({ user, events: await server.call('presenceStream', { user }) });
      return { ...changes, perSecond, over, steal, serverCpuSeconds: after.cpuSeconds - before.cpuSeconds, serverLoopDelay: after.loop };
    };
    const warmUp = PLAN.warmUpSeconds > 0 ? await changeRun('warm-up', PLAN.changesPerSecond, PLAN.changesOver, PLAN.warmUpSeconds) : null;
    const bar = await changeRun('bar', PLAN.changesPerSecond, PLAN.changesOver);
    const rest = PLAN.changesOver === 'rest' ? null : await changeRun('rest', PLAN.changesPerSecond, 'rest');
    const held = PLAN.heldRate > 0 ? await changeRun('held', PLAN.heldRate, 'rest') : null;
    clearInterval(sampler);

    const heartbeats = {};
    for (const transport of ['rest', 'socket']) {
      await server.call('caughtUp');
      const head = (await server.call('head')).head;
      const cpu = await server.call('usage');
      const load = await clients.call(transport === 'rest' ? 'restHeartbeats' : 'socketHeartbeats');
      const used = await server.call('usage');
      heartbeats[transport] = { ...load, eventsAppended: (await server.call('head')).head - head, serverCpuSeconds: used.cpuSeconds - cpu.cpuSeconds };
    }
    const end = await server.call('usage');
    await clients.call('close');
    await server.call('stop');
    await new Promise((resolve) => server.proc.once('exit', resolve));
    return {
      plan: PLAN,
      seeded,
      connected,
      warmUp,
      changes: bar,
      rest,
      held,
      heartbeats,
      rss: { seeded: idleRss, connected: connectedRss, peakDuringChanges: peakRss, max: end.maxRss },
    };
  } finally {
    server.proc.kill();
    clients.proc.kill();
    temp.remove();
  }
}

/** p50 and p99 of the updates of the changes sent in each second of a run, to show where the slow ones bunch. */
function latencyBySecond(latencies, sentOffsets) {
  const seconds = [];
  latencies.forEach((latency, i) => (seconds[Math.floor(sentOffsets[i])] ??= []).push(latency));
  return Array.from(seconds, (values = []) => {
    values.sort((a, b) => a - b);
    return values.length === 0 ? null : { p50: values[Math.floor(values.length / 2)], p99: values[Math.floor(values.length * 0.99)] };
  });
}

/** The latency bar, nothing lost, and the rate kept: for the bar's run, and for the run at the held rate. */
function changeChecks(changes, seconds = PLAN.changeSeconds) {
  return {
    p99: changes.latency !== null && changes.latency.p99 < BAR.p99Ms,
    nothingLost: changes.lost === BAR.lost && changes.failed === 0,
    rateKept: changes.ok === changes.sent && changes.seconds <= seconds * 1.05,
  };
}

function judge(result) {
  const checks = {
    ...changeChecks(result.changes),
    heartbeatsWithoutEvents: result.heartbeats.rest.eventsAppended === 0 && result.heartbeats.socket.eventsAppended === 0,
    socketHeartbeatRate: result.heartbeats.socket.sent / result.heartbeats.socket.seconds >= PLAN.heartbeatsPerSecond * 0.95,
  };
  // REST heartbeats are reported, not judged: the bar names no transport, and the REST stack's
  // ceiling on this machine (the same for GET /health) is far below 20,000 requests/s.
  return {
    ...result,
    checks,
    warmUpChecks: result.warmUp ? changeChecks(result.warmUp, PLAN.warmUpSeconds) : null,
    restChecks: result.rest ? changeChecks(result.rest) : null,
    heldChecks: result.held ? changeChecks(result.held) : null,
    verdict: Object.values(checks).every(Boolean) ? 'PASS' : 'MISS' };
}

const ms = (value) => `${value.toFixed(1)} ms`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const rate = (count, seconds) => Math.round(count / seconds).toLocaleString('en-US');
const verdict = (ok) => (ok ? 'PASS' : 'MISS');

const OVER = { socket: 'over the sockets', rest: 'through REST' };

function changeLines(label, changes, checks) {
  return [
    `  ${label}: ${changes.ok}/${changes.sent} changes answered 2xx in ${changes.seconds.toFixed(1)} s (${rate(changes.ok, changes.seconds)}/s)${changes.failed ? ` (the others: ${JSON.stringify(changes.failures)} by status, 0 = connection failed)` : ''}; answer p50 ${ms(changes.answer.p50)}, p99 ${ms(changes.answer.p99)}; rate kept: ${verdict(checks.rateKept)}`,
    `    delivery: ${changes.delivered.toLocaleString('en-US')} of ${changes.expected.toLocaleString('en-US')} updates, ${changes.lost} lost, ${changes.duplicates} duplicated; latency p50 ${ms(changes.latency.p50)}, p95 ${ms(changes.latency.p95)}, p99 ${ms(changes.latency.p99)}, max ${ms(changes.latency.max)} (change #${changes.slowest.seq}, sent ${changes.slowest.sentAfterSeconds.toFixed(1)} s in) (p99 < ${BAR.p99Ms} ms: ${verdict(checks.p99)}; nothing lost: ${verdict(checks.nothingLost)})`,
    `    delivery p50/p99 by second sent (ms): ${changes.latencyBySecond.map((s) => (s === null ? '-' : `${s.p50.toFixed(0)}/${s.p99.toFixed(0)}`)).join(' ')}`,
    ...(changes.lost > 0 ? [`    changes not delivered to every follower (first 5): ${JSON.stringify(changes.incomplete)}; their users' presence streams: ${JSON.stringify(changes.incompleteStreams ?? [])}`] : []),
    ...(changes.connectionRetries > 0 || Object.keys(changes.connectionErrors).length > 0 ? [`    requests retried on a fresh connection (the server had closed the reused one): ${changes.connectionRetries}; connection errors: ${JSON.stringify(changes.connectionErrors)}`] : []),
    ...(changes.socketsDropped.length > 0 ? [`    sockets closed by the server meanwhile: ${JSON.stringify(changes.socketsDropped.slice(0, 5))} (${changes.socketsDropped.length} in all)`] : []),
    `    CPU: server ${changes.serverCpuSeconds.toFixed(1)} s, clients ${changes.clientCpuSeconds.toFixed(1)} s over ${changes.seconds.toFixed(1)} s, the machine's steal ${formatShare(changes.steal)}; server event loop busy ${(100 * changes.serverLoopDelay.utilization).toFixed(0)} %, its delay p50 ${ms(changes.serverLoopDelay.p50Ms)}, mean ${ms(changes.serverLoopDelay.meanMs)}, p99 ${ms(changes.serverLoopDelay.p99Ms)}, max ${ms(changes.serverLoopDelay.maxMs)}; clients' event-loop delay p99 ${ms(changes.clientLoopDelay.p99Ms)}, max ${ms(changes.clientLoopDelay.maxMs)}`,
  ];
}

function presenceReport(result) {
  const { plan, heartbeats, rss } = result;
  return [
    `g) presence: ${plan.users.toLocaleString('en-US')} sockets, each user following ${plan.follows}; ${plan.changesPerSecond} changes/s for ${plan.changeSeconds} s; ${plan.heartbeatsPerSecond.toLocaleString('en-US')} heartbeats/s for ${plan.heartbeatSeconds} s`,
    `  seeding (untimed): ${plan.users} tokens (TokenService) and ${result.seeded.follows.toLocaleString('en-US')} follows (the follows decider, one append per user) in ${result.seeded.seconds.toFixed(1)} s; ${result.connected.sockets} sockets ready in ${result.connected.seconds.toFixed(1)} s`,
    ...(result.warmUp ? changeLines(`warm-up, not judged: ${plan.changesPerSecond} changes/s ${OVER[result.warmUp.over]} for ${plan.warmUpSeconds} s`, result.warmUp, result.warmUpChecks) : []),
    ...changeLines(`at the bar's ${plan.changesPerSecond} changes/s ${OVER[result.changes.over]}${result.warmUp ? ', after the warm-up' : ''}`, result.changes, result.checks),
    ...(result.rest ? changeLines(`the same ${plan.changesPerSecond} changes/s ${OVER.rest} (reported, not judged)`, result.rest, result.restChecks) : []),
    ...(result.held ? changeLines(`at ${plan.heldRate} changes/s ${OVER.rest}`, result.held, result.heldChecks) : []),
    `  server RSS: ${mb(rss.seeded)} seeded, ${mb(rss.connected)} with the sockets open, ${mb(rss.peakDuringChanges)} peak during the changes, ${mb(rss.max)} max over the run`,
    `  heartbeats over the sockets: ${heartbeats.socket.sent.toLocaleString('en-US')} in ${heartbeats.socket.seconds.toFixed(1)} s (${rate(heartbeats.socket.sent, heartbeats.socket.seconds)}/s, server CPU ${heartbeats.socket.serverCpuSeconds.toFixed(1)} s), ${heartbeats.socket.eventsAppended} events appended (${verdict(result.checks.socketHeartbeatRate)})`,
    `  heartbeats over REST: ${heartbeats.rest.ok.toLocaleString('en-US')} accepted of ${heartbeats.rest.sent.toLocaleString('en-US')} sent in ${heartbeats.rest.seconds.toFixed(1)} s (${rate(heartbeats.rest.ok, heartbeats.rest.seconds)}/s, server CPU ${heartbeats.rest.serverCpuSeconds.toFixed(1)} s), ${heartbeats.rest.eventsAppended} events appended (reported, not judged)`,
    `  no event per heartbeat: ${verdict(result.checks.heartbeatsWithoutEvents)}`,
    `  verdict (p99, nothing lost, rate kept at ${plan.changesPerSecond}/s; ${plan.heartbeatsPerSecond.toLocaleString("en-US")} heartbeats/s without events): ${result.verdict}`,
  ].join('\n');
}

/** Runs the workload in its own processes and returns its judged figures. */
async function presenceWorkload() {
  return judge(await run());
}

const SECTION = resultsSectionMarkers('g', 'presence');

/** g)'s section of RESULTS.md. */
function presenceMarkdown(info, section) {
  const heading = '## g) presence: 5,000 sockets, 500 changes/s, 20,000 heartbeats/s (issue 5, bar 5)';
  return resultsSectionLines(SECTION, heading, info, section, (result, { pass, machine }) => {
    const { plan, heartbeats, rss } = result;
    const row = (name, changes, checks) =>
      `| ${name} | ${changes.ok.toLocaleString('en-US')} / ${changes.sent.toLocaleString('en-US')} in ${changes.seconds.toFixed(1)} s (${rate(changes.ok, changes.seconds)}/s) ${pass(checks.rateKept)} | ` +
      `${changes.delivered.toLocaleString('en-US')} / ${changes.expected.toLocaleString('en-US')}, ${changes.lost} lost ${pass(checks.nothingLost)} | ` +
      `${ms(changes.latency.p50)} / ${ms(changes.latency.p95)} / ${ms(changes.latency.p99)} ${pass(checks.p99)} / ${ms(changes.latency.max)} | ` +
      `${ms(changes.answer.p50)} / ${ms(changes.answer.p99)} | ${changes.serverCpuSeconds.toFixed(1)} s / ${changes.clientCpuSeconds.toFixed(1)} s / ${formatShare(changes.steal)} | ` +
      `${(100 * changes.serverLoopDelay.utilization).toFixed(0)} % / ${ms(changes.serverLoopDelay.p99Ms)} / ${ms(changes.serverLoopDelay.maxMs)} | ${ms(changes.clientLoopDelay.p99Ms)} |`;
    return [
      `${plan.users.toLocaleString('en-US')} WebSockets on loopback, each user following ${plan.follows} others (everyone has ${plan.follows} followers); status changes`,
      'sent over the changing user\'s own socket (`{"type":"status","requestId",...}`, answered `{"type":"status-set"}`) or through',
      '`PUT /api/v1/presence/status`, as each row says (a new message each, so each is a change every follower is sent), spread evenly over the run, at most',
      `${CHANGES_IN_FLIGHT} in flight. Latency: from the change leaving the client to the follower's socket receiving the update (one clock: the sockets and`,
      'the requests share the clients process). Herald\'s server from `dist/` in its own process (SQLite stores, defaults); RSS read from `/proc`.',
      ...(result.warmUp
        ? [
            `The timed run follows ${plan.warmUpSeconds} s of the same load (its own row, not judged): the first changes run through code the JIT has not`,
            'optimised yet, since the seeding took other paths, and the queue they build takes this machine a few seconds to drain.',
          ]
        : []),
      '',
      ...machine,
      `- seeding (untimed): ${plan.users.toLocaleString('en-US')} tokens through \`TokenService\` and ${result.seeded.follows.toLocaleString('en-US')} follows decided by the follows decider (one append per user) in ${result.seeded.seconds.toFixed(1)} s; ` +
        `${result.connected.sockets.toLocaleString('en-US')} sockets ready (each \`{"type":"ready"}\`) in ${result.connected.seconds.toFixed(1)} s`,
      '',
      `| changes | answered 2xx (rate kept) | updates delivered | delivery p50 / p95 / p99 (< ${BAR.p99Ms} ms) / max | answer p50 / p99 | CPU server / clients / the machine's steal | server event loop: busy / delay p99 / max | clients' event-loop delay p99 |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...(result.warmUp ? [row(`warm-up (not judged): ${plan.changesPerSecond}/s ${OVER[result.warmUp.over]} for ${plan.warmUpSeconds} s`, result.warmUp, result.warmUpChecks)] : []),
      row(`**the bar**: ${plan.changesPerSecond}/s ${OVER[result.changes.over]} for ${plan.changeSeconds} s${result.warmUp ? ', after the warm-up' : ''}`, result.changes, result.checks),
      ...(result.rest ? [row(`${plan.changesPerSecond}/s ${OVER.rest} for ${plan.changeSeconds} s (not judged)`, result.rest, result.restChecks)] : []),
      ...(result.held ? [row(`${plan.heldRate}/s ${OVER.rest} for ${plan.changeSeconds} s`, result.held, result.heldChecks)] : []),
      '',
      `Server RSS: ${mb(rss.seeded)} seeded, ${mb(rss.connected)} with the ${plan.users.toLocaleString('en-US')} sockets open, ${mb(rss.peakDuringChanges)} peak during the changes; ${mb(rss.max)} peak over the whole run (\`maxRSS\`).`,
      '',
      `| heartbeats, ${plan.heartbeatsPerSecond.toLocaleString('en-US')}/s offered for ${plan.heartbeatSeconds} s | accepted | per second | server CPU | events appended |`,
      '| --- | ---: | ---: | ---: | ---: |',
      `| over the sockets (\`{"type":"heartbeat"}\`) | ${heartbeats.socket.sent.toLocaleString('en-US')} | ${rate(heartbeats.socket.sent, heartbeats.socket.seconds)} ${pass(result.checks.socketHeartbeatRate)} | ${heartbeats.socket.serverCpuSeconds.toFixed(1)} s | ${heartbeats.socket.eventsAppended} |`,
      `| over REST (\`POST /api/v1/presence/heartbeat\`, ${HEARTBEATS_IN_FLIGHT} in flight) | ${heartbeats.rest.ok.toLocaleString('en-US')} | ${rate(heartbeats.rest.ok, heartbeats.rest.seconds)} | ${heartbeats.rest.serverCpuSeconds.toFixed(1)} s | ${heartbeats.rest.eventsAppended} |`,
      '',
      `Bar: p99 < ${BAR.p99Ms} ms at ${plan.changesPerSecond}/s ${pass(result.checks.p99)}; no update lost ${pass(result.checks.nothingLost)}; the rate kept ${pass(result.checks.rateKept)}; ` +
        `${plan.heartbeatsPerSecond.toLocaleString('en-US')} heartbeats/s accepted (sockets) ${pass(result.checks.socketHeartbeatRate)}, none an event ${pass(result.checks.heartbeatsWithoutEvents)}.`,
    ];
  });
}

/** RESULTS.md with g)'s section and its verdict in the header line replaced, or added above the kept notes. */
function replacePresenceSection(text, info, section, keptNotesMarker) {
  return replaceResultsSection(text, SECTION, section.verdict, presenceMarkdown(info, section).join('\n'), keptNotesMarker);
}

if (require.main === module) {
  const role = process.argv[2];
  runMain(role === '--server' ? serverProcess : role === '--clients' ? clientsProcess : async () => printResult(await presenceWorkload(), presenceReport));
}

module.exports = { presenceWorkload, presenceReport, presenceMarkdown, replacePresenceSection };
