import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import fixtureCustomFronts from '../fixtures/simplyplural/custom_fronts.json';
import fixtureFronters from '../fixtures/simplyplural/fronters.json';
import fixtureMembers from '../fixtures/simplyplural/members.json';
import { countRequests } from './loopback-server';

/*
 * A fake SimplyPlural (api.apparyllis.com) for tests: the REST routes fronting reads and the
 * websocket at /v1/socket, behaving as reference/simplyplural-api.md and the server code describe
 * (plain-text 401s, `{exists, id, content}` envelopes, the `{}` greeting, bare `ping`/`pong`,
 * authentication violations that close the socket, one `update` message per changed document).
 */

/** The system every fixture document belongs to. */
export const SIMPLYPLURAL_FIXTURE_UID = 'Zq8Yx2Wv4Ut6Sr1Qp3On5Ml7Kj9';

/** A SimplyPlural document as list endpoints return it. */
export interface SimplyPluralEnvelope {
  exists: boolean;
  id: string;
  content: Record<string, unknown>;
}

/** Token permission bits (SimplyPluralApi src/modules/api/keys.ts). */
export const SIMPLYPLURAL_PERMISSION = { read: 0x01, write: 0x02, delete: 0x04 } as const;
const FULL_ACCESS = SIMPLYPLURAL_PERMISSION.read | SIMPLYPLURAL_PERMISSION.write | SIMPLYPLURAL_PERMISSION.delete;

export interface SimplyPluralSystemSeed {
  /** Default: the fixtures' uid if no other system has it, else a fresh one. */
  uid?: string;
  /** Default: read, write and delete. */
  permission?: number;
  /** Defaults for these three: the fixtures, moved to this system's uid. */
  fronters?: SimplyPluralEnvelope[];
  members?: SimplyPluralEnvelope[];
  customFronts?: SimplyPluralEnvelope[];
}

export interface SimplyPluralLoggedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  status: number;
  at: number;
}

export interface SimplyPluralSocketStats {
  opened: number;
  authenticated: number;
  authenticationFailures: number;
  pings: number;
}

interface FakeSystem {
  token: string;
  uid: string;
  permission: number;
  revoked: boolean;
  fronters: SimplyPluralEnvelope[];
  members: SimplyPluralEnvelope[];
  customFronts: SimplyPluralEnvelope[];
}

interface SocketConnection {
  ws: WebSocket;
  uid?: string;
}

interface RestFault {
  status: number;
  remaining: number;
}

const AUTH_TEXT = {
  required: 'An authorization token is required.',
  invalid: 'Authorization token is missing or invalid.',
  permission: 'Authorization token does not have the requested permissions.',
};
const SOCKET_TEXT = {
  greeting: '{}',
  authenticated: 'Successfully authenticated',
  violation: 'Authentication violation: Token is missing or invalid. Goodbye :)',
  invalidJson: 'Invalid message, cannot parse Json.',
  missingOp: "Missing 'op' in message.",
};
const SOCKET_PATH = '/v1/socket';

export class SimplyPluralFake {
  /** REST base, for SIMPLYPLURAL_API_URL. */
  readonly url: string;
  /** The websocket Herald derives from `url`. */
  readonly socketUrl: string;
  readonly requests: SimplyPluralLoggedRequest[] = [];
  readonly socketStats: SimplyPluralSocketStats = { opened: 0, authenticated: 0, authenticationFailures: 0, pings: 0 };

  private readonly systems = new Map<string, FakeSystem>();
  private readonly connections = new Set<SocketConnection>();
  private readonly sockets = new Set<Socket>();
  private readonly webSockets = new WebSocketServer({ noServer: true });
  private outage = false;
  private restFault: RestFault | null = null;
  private lastOperationTime = Date.now();

  private constructor(private readonly server: Server) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.socketUrl = `ws://127.0.0.1:${port}${SOCKET_PATH}`;
    server.on('request', (req, res) => this.handleRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket as Socket, head));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<SimplyPluralFake> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new SimplyPluralFake(server);
  }

  async stop(): Promise<void> {
    for (const { ws } of this.connections) ws.terminate();
    for (const socket of this.sockets) socket.destroy();
    this.webSockets.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  //////// Systems ////////

  /** Registers a token and its system, seeded from the fixtures unless told otherwise. */
  addSystem(token: string, seed: SimplyPluralSystemSeed = {}): { uid: string } {
    if (this.systems.has(token)) throw new Error('SimplyPluralFake: this token already has a system');
    const uid = seed.uid ?? (this.systemByUid(SIMPLYPLURAL_FIXTURE_UID) ? randomUid() : SIMPLYPLURAL_FIXTURE_UID);
    const own = (documents: readonly SimplyPluralEnvelope[]) => documents.map((document) => ownedBy(document, uid));
    this.systems.set(token, {
      token,
      uid,
      permission: seed.permission ?? FULL_ACCESS,
      revoked: false,
      fronters: own(seed.fronters ?? fixtureFronters),
      members: own(seed.members ?? fixtureMembers),
      customFronts: own(seed.customFronts ?? fixtureCustomFronts),
    });
    return { uid };
  }

  /** From now on the token is unknown, as after the user deleted it in SimplyPlural. */
  revokeToken(token: string): void {
    this.system(token).revoked = true;
  }

  /**
   * Puts exactly these members or custom fronts in front, as the app does: entries of those who
   * stay are kept, those who leave get `live: false` and an `endTime`, newcomers get a new live
   * entry. Each change is pushed to the system's authenticated sockets.
   */
  setFronters(token: string, memberOrCustomFrontIds: readonly string[]): void {
    const system = this.system(token);
    const now = this.operationTime();
    const staying = system.fronters.filter((entry) => memberOrCustomFrontIds.includes(String(entry.content.member)));
    const leaving = system.fronters.filter((entry) => !staying.includes(entry));
    const arriving = memberOrCustomFrontIds
      .filter((id) => !staying.some((entry) => entry.content.member === id))
      .map((id): SimplyPluralEnvelope => {
        const custom = system.customFronts.some((front) => front.id === id);
        if (!custom && !system.members.some((member) => member.id === id)) {
          throw new Error(`SimplyPluralFake: ${id} is neither a member nor a custom front of this system`);
        }
        return {
          exists: true,
          id: randomObjectId(),
          content: { custom, live: true, startTime: now, member: id, uid: system.uid, lastOperationTime: now },
        };
      });
    system.fronters = [...staying, ...arriving];
    for (const entry of leaving) {
      const ended = { ...entry, content: { ...entry.content, live: false, endTime: now, lastOperationTime: now } };
      this.pushUpdate(system, 'frontHistory', 'update', ended);
    }
    for (const entry of arriving) this.pushUpdate(system, 'frontHistory', 'insert', entry);
  }

  /** Replaces the members; changed, new and removed ones are pushed like the server's change stream does. */
  setMembers(token: string, members: readonly SimplyPluralEnvelope[]): void {
    const system = this.system(token);
    const next = members.map((member) => ownedBy(member, system.uid));
    this.pushDifferences(system, 'members', system.members, next);
    system.members = next;
  }

  /** Changes some fields of one member, e.g. `{ pkId: 'zzzzz' }` or `{ archived: true }`. */
  updateMember(token: string, memberId: string, changes: Record<string, unknown>): void {
    const system = this.system(token);
    if (!system.members.some((member) => member.id === memberId)) throw new Error(`SimplyPluralFake: no member ${memberId}`);
    this.setMembers(
      token,
      system.members.map((member) => (member.id === memberId ? { ...member, content: { ...member.content, ...changes } } : member)),
    );
  }

  /** Replaces the custom fronts (pushed with target `frontStatuses`, the collection's name on the server). */
  setCustomFronts(token: string, customFronts: readonly SimplyPluralEnvelope[]): void {
    const system = this.system(token);
    const next = customFronts.map((front) => ownedBy(front, system.uid));
    this.pushDifferences(system, 'frontStatuses', system.customFronts, next);
    system.customFronts = next;
  }

  /** Sends any message (a notification, a custom event) to the system's authenticated sockets. */
  push(token: string, message: unknown): void {
    this.sendToSystem(this.system(token), message);
  }

  /** The live front entries, as `GET /v1/fronters` answers them. */
  frontersOf(token: string): SimplyPluralEnvelope[] {
    return structuredClone(this.system(token).fronters);
  }

  //////// Faults ////////

  /** The whole service is down: REST answers 503, the websocket refuses upgrades, open sockets drop. */
  setOutage(on: boolean): void {
    this.outage = on;
    if (on) this.dropAllSockets();
  }

  /** The next `times` REST requests (all of them by default) answer `status` instead. */
  failRequests(status = 500, times = Number.POSITIVE_INFINITY): void {
    this.restFault = { status, remaining: times };
  }

  clearFaults(): void {
    this.restFault = null;
    this.outage = false;
  }

  /** Cuts every websocket without a close frame, as a network drop does. */
  dropAllSockets(): void {
    for (const { ws } of this.connections) ws.terminate();
  }

  openSocketCount(): number {
    return [...this.connections].filter(({ ws }) => ws.readyState === ws.OPEN).length;
  }

  authenticatedSocketCount(token?: string): number {
    const uid = token === undefined ? undefined : this.system(token).uid;
    return [...this.connections].filter(
      (connection) => connection.uid !== undefined && (uid === undefined || connection.uid === uid) && connection.ws.readyState === connection.ws.OPEN,
    ).length;
  }

  /** How many logged REST requests match every criterion given (a path is exact, or a pattern). */
  count(filter: { method?: string; path?: string | RegExp; status?: number } = {}): number {
    return countRequests(this.requests, filter);
  }

  //////// REST ////////

  private handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const { pathname, search } = new URL(req.url ?? '/', this.url);
    // Express matches routes with or without a trailing slash (`/v1/fronters/` is registered).
    const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
    const reply = this.answer(req.method ?? 'GET', path, req.headers.authorization);
    this.requests.push({ method: req.method ?? 'GET', path, query: search, headers: req.headers, status: reply.status, at: Date.now() });
    // The server reads no request body on these routes; drain it so the connection can be reused.
    req.resume();
    const body = reply.json === undefined ? reply.text : JSON.stringify(reply.json);
    res.writeHead(reply.status, {
      'Content-Type': reply.json === undefined ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  private answer(method: string, path: string, authorization: string | undefined): { status: number; json?: unknown; text: string } {
    if (this.outage) return { status: 503, text: 'Service Unavailable' };
    if (this.restFault && this.restFault.remaining > 0) {
      this.restFault.remaining -= 1;
      return { status: this.restFault.status, text: 'Internal Server Error' };
    }
    const route = matchRoute(method, path);
    if (!route) return { status: 404, text: `Cannot ${method} ${path}` };

    if (authorization === undefined) return { status: 401, text: AUTH_TEXT.required };
    const system = this.systems.get(authorization);
    if (!system || system.revoked || system.permission === 0) return { status: 401, text: AUTH_TEXT.invalid };
    if (!(system.permission & SIMPLYPLURAL_PERMISSION.read)) return { status: 401, text: AUTH_TEXT.permission };

    switch (route.name) {
      case 'me':
        return { status: 200, json: { exists: true, id: system.uid, content: { uid: system.uid, username: 'fixture-system' } }, text: '' };
      case 'fronters':
        return { status: 200, json: system.fronters.filter((entry) => entry.content.live === true), text: '' };
      case 'members':
        if (route.systemId !== system.uid) return { status: 403, text: 'You are not authorized to see members of this user' };
        return { status: 200, json: system.members, text: '' };
      case 'customFronts':
        if (route.systemId !== system.uid) return { status: 403, text: 'You are not authorized to see custom fronts of this user' };
        return { status: 200, json: system.customFronts, text: '' };
    }
  }

  //////// Websocket ////////

  private handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const { pathname } = new URL(req.url ?? '/', this.url);
    if (this.outage || pathname !== SOCKET_PATH) {
      const status = this.outage ? '503 Service Unavailable' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.webSockets.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(ws: WebSocket): void {
    const connection: SocketConnection = { ws };
    this.connections.add(connection);
    this.socketStats.opened += 1;
    ws.on('close', () => this.connections.delete(connection));
    ws.on('error', () => this.connections.delete(connection));
    ws.on('message', (data: RawData) => this.onSocketMessage(connection, rawText(data)));
    ws.send(SOCKET_TEXT.greeting);
  }

  private onSocketMessage(connection: SocketConnection, text: string): void {
    if (text === 'ping') {
      this.socketStats.pings += 1;
      connection.ws.send('pong');
      return;
    }
    let message: { op?: unknown; token?: unknown };
    try {
      message = JSON.parse(text) as { op?: unknown; token?: unknown };
    } catch {
      connection.ws.send(JSON.stringify({ msg: SOCKET_TEXT.invalidJson }));
      return;
    }
    if (message === null || typeof message !== 'object' || message.op == null) {
      connection.ws.send(JSON.stringify({ msg: SOCKET_TEXT.missingOp }));
      return;
    }
    if (message.op !== 'authenticate') return;
    const system = typeof message.token === 'string' ? this.systems.get(message.token) : undefined;
    if (!system || system.revoked || system.permission === 0) {
      this.socketStats.authenticationFailures += 1;
      connection.ws.send(JSON.stringify({ msg: SOCKET_TEXT.violation }));
      connection.ws.close();
      return;
    }
    connection.uid = system.uid;
    this.socketStats.authenticated += 1;
    connection.ws.send(
      JSON.stringify({ msg: SOCKET_TEXT.authenticated, resolvedToken: { uid: system.uid, accessType: system.permission, jwt: false } }),
    );
  }

  private pushDifferences(
    system: FakeSystem,
    target: string,
    before: readonly SimplyPluralEnvelope[],
    after: readonly SimplyPluralEnvelope[],
  ): void {
    for (const document of after) {
      const previous = before.find((candidate) => candidate.id === document.id);
      if (!previous) this.pushUpdate(system, target, 'insert', document);
      else if (JSON.stringify(previous) !== JSON.stringify(document)) this.pushUpdate(system, target, 'update', document);
    }
    for (const document of before) {
      if (!after.some((candidate) => candidate.id === document.id)) {
        this.sendToSystem(system, { msg: 'update', target, results: [{ operationType: 'delete', id: document.id, content: {} }] });
      }
    }
  }

  private pushUpdate(system: FakeSystem, target: string, operationType: 'insert' | 'update', document: SimplyPluralEnvelope): void {
    this.sendToSystem(system, { msg: 'update', target, results: [{ operationType, ...document }] });
  }

  private sendToSystem(system: FakeSystem, message: unknown): void {
    const text = JSON.stringify(message);
    for (const connection of this.connections) {
      if (connection.uid === system.uid && connection.ws.readyState === connection.ws.OPEN) connection.ws.send(text);
    }
  }

  //////// Helpers ////////

  private system(token: string): FakeSystem {
    const system = this.systems.get(token);
    if (!system) throw new Error('SimplyPluralFake: no system has this token; call addSystem first');
    return system;
  }

  private systemByUid(uid: string): FakeSystem | undefined {
    return [...this.systems.values()].find((system) => system.uid === uid);
  }

  /** Strictly increasing epoch milliseconds, as `lastOperationTime` is on the server. */
  private operationTime(): number {
    this.lastOperationTime = Math.max(Date.now(), this.lastOperationTime + 1);
    return this.lastOperationTime;
  }
}

type Route = { name: 'me' | 'fronters' } | { name: 'members' | 'customFronts'; systemId: string };

function matchRoute(method: string, path: string): Route | null {
  if (method !== 'GET') return null;
  if (path === '/v1/me') return { name: 'me' };
  if (path === '/v1/fronters') return { name: 'fronters' };
  const list = /^\/v1\/(members|customFronts)\/([^/]+)$/.exec(path);
  return list ? { name: list[1] as 'members' | 'customFronts', systemId: decodeURIComponent(list[2]) } : null;
}

function ownedBy(document: SimplyPluralEnvelope, uid: string): SimplyPluralEnvelope {
  return { exists: document.exists, id: document.id, content: { ...structuredClone(document.content), uid } };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function randomObjectId(): string {
  return randomBytes(12).toString('hex');
}

/** SimplyPlural uids are Firebase-style: 28 letters and digits. */
function randomUid(): string {
  return randomBytes(21).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 28);
}
