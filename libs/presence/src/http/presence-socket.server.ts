import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { CLOCK, type Clock, type CommandContext, HERALD_CONFIG, type HeraldConfig, newCorrelationId } from '@herald/core';
import { HeraldMetrics } from '@herald/observability';
import { PresenceStates } from '../commands/presence-states';
import { RecordHeartbeatCommand } from '../commands/record-heartbeat.command';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence-options';
import { LivenessMonitor } from '../reactors/liveness-monitor';
import { PresenceBroadcaster, type PresenceSubscriber } from '../reactors/presence-broadcaster';
import { PresenceLeases } from '../reactors/presence-leases';
import { SOCKET_CLOSE, type SocketAuthentication, SocketAuthenticator } from './socket-authenticator';

export const PRESENCE_SOCKET_PATH = '/ws';
/** Clients send heartbeats and small notes; nothing bigger is read. */
const MAX_INCOMING_BYTES = 4 * 1024;
/** A socket with this much unsent is not reading: it is closed rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const SHUTDOWN_CLOSE_WAIT_MS = 1_000;
/** A ping round is spread over this many ticks of the ping interval, each taking its share of the sockets. */
const PING_TICKS_PER_ROUND = 30;

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
 * counts as activity; `{"type":"heartbeat"}` also counts as a heartbeat. An open socket holds its
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
    ws.on('message', (data, isBinary) => this.received(session, data, isBinary));
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

  private received(session: SocketSession, data: RawData, isBinary: boolean): void {
    session.alive = true;
    const { userId } = session.subscriber;
    this.leases.activity(userId);
    if (isBinary || !isHeartbeat(data)) return;
    this.commands.execute(new RecordHeartbeatCommand(userId, 'socket', session.context)).catch((error: unknown) => {
      this.logger.error(`user ${userId}: heartbeat failed: ${describe(error)}`);
    });
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

/** `{"type":"heartbeat"}`, give or take whitespace and other fields. */
function isHeartbeat(data: RawData): boolean {
  const text = data.toString();
  if (!text.includes('heartbeat')) return false;
  try {
    return (JSON.parse(text) as { type?: unknown }).type === 'heartbeat';
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
