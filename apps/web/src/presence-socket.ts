import type { PresenceStatus } from './validation';

/** A followed user's presence as the socket sends it (privacy applied by Herald). */
export interface PresenceUpdate {
  type: 'presence';
  userId: string;
  status: PresenceStatus;
  message: string | null;
  daw: string | null;
  lastActiveAt: string | null;
}

export type SocketState = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface PresenceSocketHandlers {
  presence(update: PresenceUpdate): void;
  /** `reason` explains a refusal (the session cannot open a socket) or why it reconnects. */
  state(state: SocketState, reason?: string): void;
}

/** Close codes that reconnecting cannot fix: the session is unknown, expired, or has no user. */
const REFUSED = new Set([4401, 4403]);
const MAX_RETRY_MS = 30_000;

/**
 * `/ws` with the session cookie (same origin): followed users' presence, live. Reconnects after a
 * drop, waiting longer each time (1 s doubling up to 30 s), until closed or refused.
 */
export function openPresenceSocket(handlers: PresenceSocketHandlers): { close(): void } {
  let socket: WebSocket | null = null;
  let retryMs = 1_000;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function connect(): void {
    handlers.state(retryMs === 1_000 ? 'connecting' : 'reconnecting');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${scheme}//${location.host}/ws`);
    socket.onmessage = (event) => {
      const message = parse(event.data);
      if (message?.type === 'ready') {
        retryMs = 1_000;
        handlers.state('live');
      } else if (message?.type === 'presence') {
        handlers.presence(message as unknown as PresenceUpdate);
      }
    };
    socket.onclose = (event) => {
      socket = null;
      if (closed) return;
      if (REFUSED.has(event.code)) {
        handlers.state('refused', event.reason || 'Herald refused the live connection.');
        return;
      }
      handlers.state('reconnecting', event.reason || undefined);
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket?.close(1000, 'page closed');
    },
  };
}

function parse(data: unknown): { type?: unknown } | null {
  if (typeof data !== 'string') return null;
  try {
    const value = JSON.parse(data) as unknown;
    return value !== null && typeof value === 'object' ? (value as { type?: unknown }) : null;
  } catch {
    return null;
  }
}
