import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { type Clock, streams } from '@herald/core';
import { sleep, waitFor } from '@herald/core/testing';
import type { PresenceChanged } from '@herald/presence';
import { bearer, type HeraldUnderTest, OPERATOR_TOKEN, startHerald } from '../support/herald-test-app';

/** Liveness checks and lease writes every few milliseconds, so tests wait milliseconds where production waits a second. */
export const FAST_PRESENCE_ENV: Record<string, string> = {
  PRESENCE_CHECK_INTERVAL_MS: '20',
  PRESENCE_LEASE_FLUSH_MS: '20',
};

export const MINUTE = 60_000;

export interface PresenceUser {
  userId: string;
  /** A personal API token (scope `user:<userId>`). */
  token: string;
}

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface PresenceMessage {
  type: string;
  userId: string;
  status: string;
  message: string | null;
  daw: string | null;
  lastActiveAt: string | null;
}

/** A Herald server in this process, with helpers for users, REST calls and real WebSocket clients. */
export class PresenceHarness {
  private readonly sockets: PresenceSocket[] = [];

  private constructor(readonly herald: HeraldUnderTest) {}

  static async start(options: { env?: Record<string, string>; clock?: Clock } = {}): Promise<PresenceHarness> {
    return new PresenceHarness(await startHerald({ ...FAST_PRESENCE_ENV, ...options.env }, { clock: options.clock }));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await this.herald.close();
  }

  get port(): number {
    return (this.herald.app.getHttpServer().address() as AddressInfo).port;
  }

  call(method: Method, path: string, options: { token?: string; body?: unknown } = {}): request.Test {
    const call = request(this.herald.app.getHttpServer())[method](path).set(bearer(options.token ?? OPERATOR_TOKEN));
    return options.body === undefined ? call : call.send(options.body as object);
  }

  /** A user with a personal token the server already accepts. */
  async user(userId: string): Promise<PresenceUser> {
    const issued = await this.call('post', `/api/v1/users/${userId}/tokens`, { body: {} }).expect(201);
    await this.caughtUp();
    return { userId, token: issued.body.token as string };
  }

  async follow(follower: PresenceUser, followee: PresenceUser): Promise<void> {
    await this.call('put', `/api/v1/me/follows/${followee.userId}`, { token: follower.token }).expect(204);
  }

  async setStatus(user: PresenceUser, body: Record<string, unknown>): Promise<request.Response> {
    return this.call('put', '/api/v1/presence/status', { token: user.token, body }).expect(200);
  }

  async heartbeat(user: PresenceUser): Promise<void> {
    await this.call('post', '/api/v1/presence/heartbeat', { token: user.token }).expect(204);
  }

  /** The presence of these users as `viewer` (default: the operator) sees it, once the read models caught up. */
  async presenceOf(ids: string[], viewer?: PresenceUser): Promise<Record<string, Omit<PresenceMessage, 'type' | 'userId'>>> {
    await this.caughtUp();
    const response = await this.call('get', `/api/v1/presence/users?ids=${ids.join(',')}`, { token: viewer?.token }).expect(200);
    return response.body.users;
  }

  caughtUp(): Promise<void> {
    return this.herald.projections.waitUntilCaughtUp();
  }

  /** A WebSocket client on `/ws`; the promise resolves once it is open. */
  async socket(
    token: string | null,
    query = token === null ? '' : `?token=${encodeURIComponent(token)}`,
    options: WebSocket.ClientOptions = {},
  ): Promise<PresenceSocket> {
    const socket = new PresenceSocket(new WebSocket(`ws://127.0.0.1:${this.port}/ws${query}`, options));
    this.sockets.push(socket);
    await socket.opened;
    return socket;
  }

  /** A socket of the user, once the server said it is set up (follows loaded, presence resumed). */
  async connect(user: PresenceUser): Promise<PresenceSocket> {
    const socket = await this.socket(user.token);
    await waitFor(`the socket of ${user.userId} to be ready`, () => socket.messages.some((message) => message.type === 'ready'));
    return socket;
  }

  /** The data of every `PresenceChanged` on the user's stream, in order. */
  async presenceEvents(user: PresenceUser): Promise<PresenceChanged['data'][]> {
    const events = await this.herald.eventStore.readStream(streams.presence(user.userId));
    return events.filter((event) => event.type === 'PresenceChanged').map((event) => event.data as PresenceChanged['data']);
  }

  async headPosition(): Promise<number | null> {
    return this.herald.eventStore.headPosition();
  }
}

/** A real WebSocket client that keeps every message it receives. */
export class PresenceSocket {
  readonly messages: PresenceMessage[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  closedWith: { code: number; reason: string } | null = null;

  constructor(private readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        resolve(this.closedWith);
      }),
    );
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as PresenceMessage));
  }

  send(text: string): void {
    this.ws.send(text);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close(1000);
    return this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** The presence messages about `userId`, in the order received. */
  about(userId: string): PresenceMessage[] {
    return this.messages.filter((message) => message.type === 'presence' && message.userId === userId);
  }

  async waitForMessages(count: number, what = `${count} messages`): Promise<PresenceMessage[]> {
    await waitFor(what, () => this.messages.length >= count);
    return this.messages;
  }
}


/**
 * Lets the server run for a while (checks, flushes, feed) and resolves: for "nothing happens"
 * assertions, long enough for many check intervals.
 */
export function settle(ms = 200): Promise<void> {
  return sleep(ms);
}
