import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  CLOCK,
  type Clock,
  type CommandContext,
  createValidationPipe,
  HERALD_CONFIG,
  type HeraldConfig,
  HeraldError,
  newCorrelationId,
} from '@herald/core';
import { HeraldMetrics } from '@herald/observability';
import { PresenceStates } from '../commands/presence-states';
import { RecordHeartbeatCommand } from '../commands/record-heartbeat.command';
import { SetPresenceCommand } from '../commands/set-presence.command';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence-options';
import { LivenessMonitor } from '../reactors/liveness-monitor';
import { PresenceBroadcaster, type PresenceSubscriber } from '../reactors/presence-broadcaster';
import { PresenceLeases } from '../reactors/presence-leases';
import { SetPresenceBody } from './presence-requests.dto';
import { SOCKET_CLOSE, type SocketAuthentication, SocketAuthenticator } from './socket-authenticator';

export const PRESENCE_SOCKET_PATH = '/ws';
/** Clients send heartbeats and small notes; nothing bigger is read. */
const MAX_INCOMING_BYTES = 4 * 1024;
/** A socket with this much unsent is not reading: it is closed rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const SHUTDOWN_CLOSE_WAIT_MS = 1_000;
/** A ping round is spread over this many ticks of the ping interval, each taking its share of the sockets. */
const PING_TICKS_PER_ROUND = 30;
/** What a client may tag a status change with, to match the answer to it. */
const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;
const REQUEST_ID_RULE = 'requestId must be 1-64 printable ASCII characters without spaces';

/** A client message Herald acts on; anything else only counts as activity. */
type ClientMessage = { type: 'heartbeat' } | { type: 'status'; fields: Record<string, unknown>; requestId?: unknown };

interface SocketSession {
  subscriber: PresenceSubscriber;
  tokenHash: string;
  context: CommandContext;
  /** A pong or a message came since the last ping. */
  alive: boolean;
}

/**
 * `WS /ws?token=<personal API token>` (or `Authorization: Bearer`, or the web console's session
 * cookie from Herald's own pages): once set up it sends
 * `{"type":"ready","userId"}`, then the presence updates of the users the token's user follows,
 * one JSON text message each (`{"type":"presence",...}`). Any message the client sends
 * counts as activity; `{"type":"heartbeat"}` also counts as a heartbeat, and
 * `{"type":"status","status",...}` (the fields of `PUT /api/v1/presence/status`, plus an optional
 * `requestId`) sets the user's status: answered `{"type":"status-set","requestId",...presence}`, or
 * `{"type":"error","requestId","code","error","errors"}` with nothing changed and the socket left
 * open. It is the same change as the REST call without the HTTP request. An open socket holds its
 * user online; after the last one closes, the grace period decides. A bad token is answered with
 * an error message and a close code (4401, 4403) whose reason says why.
 */
@Injectable()
export class PresenceSocketServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PresenceSocket');
  private readonly sessions = new Map<WebSocket, SocketSession>();
  private wss: WebSocketServer | null = null;
  private server: Server | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pinging = false;
  /** The sockets of the current ping round, and the round's next tick. */
  private pingRound: Array<[WebSocket, SocketSession]> = [];
  private pingTickOfRound = 0;
  /** The REST body's validation, so a status set over the socket obeys the same rules and messages. */
  private readonly validation = createValidationPipe();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authenticator: SocketAuthenticator,
    private readonly broadcaster: PresenceBroadcaster,
    private readonly leases: PresenceLeases,
    private readonly states: PresenceStates,
    private readonly monitor: LivenessMonitor,
    private readonly commands: CommandBus,
    private readonly metrics: HeraldMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!this.options.run || !server) return;
    this.server = server;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INCOMING_BYTES });
    server.on('upgrade', this.onUpgrade);
    const tickMs = Math.max(1, Math.floor(this.config.presence.socketPingMs / PING_TICKS_PER_ROUND));
    this.pingTimer = setInterval(() => {
      this.pingTick().catch((error: unknown) => this.logger.error(`ping round failed: ${describe(error)}`));
    }, tickMs);
    this.pingTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.server?.off('upgrade', this.onUpgrade);
    const sockets = [...this.sessions.keys()];
    for (const ws of sockets) this.close(ws, SOCKET_CLOSE.goingAway, 'Herald is shutting down');
    await Promise.race([
      Promise.all(sockets.map((ws) => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve(undefined) : ws.once('close', resolve))))),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_CLOSE_WAIT_MS).unref()),
    ]);
    for (const ws of sockets) ws.terminate();
    this.wss?.close();
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://herald.invalid');
    if (url.pathname !== PRESENCE_SOCKET_PATH) {
      // Another listener may serve other paths; with none, the client is told there is nothing here.
      if (this.server?.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss!.handleUpgrade(request, socket, head, (ws) => void this.open(ws, request, url));
  };

  private async open(ws: WebSocket, request: IncomingMessage, url: URL): Promise<void> {
    ws.on('error', (error) => this.logger.debug(`socket error: ${error.message}`));
    const authentication = await this.authenticator.authenticateUpgrade(request, url).catch((error: unknown) => {
      this.logger.error(`socket authentication failed: ${describe(error)}`);
      return { ok: false, code: 1011, reason: 'Herald could not check the token; try again' } as const;
    });
    if (!authentication.ok) return this.refuse(ws, authentication);
    if (ws.readyState !== WebSocket.OPEN) return;

    const { userId, tokenHash } = authentication;
    // `ready` is the socket's first message: updates that arrive while it is being set up wait for it.
    let waiting: string[] | null = [];
    const session: SocketSession = {
      subscriber: { userId, send: (message) => (waiting === null ? this.send(ws, message) : waiting.push(message)) },
      tokenHash,
      context: { source: 'rest', actorId: userId, correlationId: newCorrelationId() },
      alive: true,
    };
    this.sessions.set(ws, session);
    this.metrics.presenceSockets.inc();
    ws.on('pong', () => (session.alive = true));
    ws.on('message', (data, isBinary) => this.received(ws, session, data, isBinary));
    ws.on('close', () => this.closed(ws, session));
    this.leases.socketOpened(userId);
    try {
      await this.broadcaster.attach(session.subscriber);
      await this.states.resume(userId, this.clock.now(), session.context);
      // From here on every change of a followed user reaches this socket.
      this.send(ws, JSON.stringify({ type: 'ready', userId }));
      const held = waiting;
      waiting = null;
      for (const message of held) this.send(ws, message);
    } catch (error) {
      this.logger.error(`user ${userId}: socket could not be set up: ${describe(error)}`);
      this.close(ws, 1011, 'Herald could not set up the socket; reconnect');
    }
  }

  private received(ws: WebSocket, session: SocketSession, data: RawData, isBinary: boolean): void {
    session.alive = true;
    const { userId } = session.subscriber;
    this.leases.activity(userId);
    const message = isBinary ? null : clientMessage(data);
    if (message?.type === 'heartbeat') {
      this.commands.execute(new RecordHeartbeatCommand(userId, 'socket', session.context)).catch((error: unknown) => {
        this.logger.error(`user ${userId}: heartbeat failed: ${describe(error)}`);
      });
    } else if (message?.type === 'status') {
      void this.setStatus(ws, session, message.fields, message.requestId);
    }
  }

  private async setStatus(ws: WebSocket, session: SocketSession, fields: Record<string, unknown>, requestId: unknown): Promise<void> {
    const { userId } = session.subscriber;
    if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) {
      const errors = [{ field: 'requestId', messages: [REQUEST_ID_RULE] }];
      this.send(ws, JSON.stringify({ type: 'error', code: 'INPUT.INVALID', error: 'Invalid field: requestId.', errors }));
      return;
    }
    try {
      const body = (await this.validation.transform(fields, { type: 'body', metatype: SetPresenceBody })) as SetPresenceBody;
      const context = { ...session.context, correlationId: newCorrelationId() };
      const view = await this.commands.execute(new SetPresenceCommand(userId, body, context));
      this.send(ws, JSON.stringify({ type: 'status-set', requestId, userId, ...view }));
    } catch (error) {
      if (error instanceof HeraldError && error.status < 500) {
        this.send(ws, JSON.stringify({ type: 'error', requestId, code: error.code, error: error.detail, errors: error.errors }));
        return;
      }
      this.logger.error(`user ${userId}: status change over the socket failed: ${describe(error)}`);
      this.send(ws, JSON.stringify({ type: 'error', requestId, code: 'INTERNAL', error: 'Herald could not set the status; try again' }));
    }
  }

  private closed(ws: WebSocket, session: SocketSession): void {
    if (!this.sessions.delete(ws)) return;
    this.metrics.presenceSockets.dec();
    const { userId } = session.subscriber;
    this.broadcaster.detach(session.subscriber);
    if (this.leases.socketClosed(userId) === 0) {
      this.monitor.checkAfter(userId, this.clock.now().getTime() + this.config.presence.disconnectGraceMs);
    }
  }

  private send(ws: WebSocket, message: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(ws, SOCKET_CLOSE.tooSlow, 'too slow: presence updates were not read');
      return;
    }
    ws.send(message);
  }

  private refuse(ws: WebSocket, { code, reason }: Extract<SocketAuthentication, { ok: false }>): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: 'error', code, error: reason }));
    this.close(ws, code, reason);
  }

  private close(ws: WebSocket, code: number, reason: string): void {
    this.metrics.presenceSocketsClosed.inc({ code: String(code) });
    ws.close(code, reason);
  }

  /**
   * Drops sockets that stopped answering, and closes those whose token was revoked or expired
   * meanwhile. Each socket is pinged once per ping interval, but the round is spread over the
   * interval's ticks: thousands of pings, pongs and token lookups at once held every presence update
   * back for up to a second on a busy server (bench g).
   */
  private async pingTick(): Promise<void> {
    if (this.pinging) return;
    this.pinging = true;
    try {
      const tick = this.pingTickOfRound;
      this.pingTickOfRound = (tick + 1) % PING_TICKS_PER_ROUND;
      if (tick === 0) this.pingRound = [...this.sessions];
      const count = this.pingRound.length;
      const share = this.pingRound.slice(Math.floor((count * tick) / PING_TICKS_PER_ROUND), Math.floor((count * (tick + 1)) / PING_TICKS_PER_ROUND));
      const verdicts = new Map<string, Promise<SocketAuthentication | null>>();
      for (const [ws, session] of share) {
        if (!this.sessions.has(ws)) continue;
        if (!session.alive) {
          ws.terminate();
          continue;
        }
        session.alive = false;
        ws.ping();
        if (!verdicts.has(session.tokenHash)) verdicts.set(session.tokenHash, this.authenticator.check(session.tokenHash).catch(() => null));
        const verdict = await verdicts.get(session.tokenHash);
        if (verdict && !verdict.ok) this.refuse(ws, verdict);
      }
    } finally {
      this.pinging = false;
    }
  }
}

/** A heartbeat or a status change; `null` for anything else (other types, not JSON, not an object). */
function clientMessage(data: RawData): ClientMessage | null {
  const text = data.toString();
  // Most messages are heartbeats: the substring test spares parsing what cannot be one of ours.
  if (!text.includes('heartbeat') && !text.includes('status')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { type, requestId, ...fields } = parsed as Record<string, unknown>;
  if (type === 'heartbeat') return { type };
  if (type === 'status') return { type, fields, requestId };
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
