/** What holds a user online at one moment, as the liveness check gathers it. Times are epoch ms. */
export interface LivenessInputs {
  now: number;
  /** The user's sockets open in this process. */
  localSockets: number;
  /** The user's sockets open in other Herald processes that are still alive. */
  remoteSockets: number;
  /** When the heartbeat lease runs out (the last heartbeat plus the timeout); null: never had one. */
  heartbeatUntil: number | null;
  /** When the user's last socket closed (here, or in a process that died); null: none closed. */
  socketClosedAt: number | null;
}

export interface LivenessRules {
  /** After the last socket closes, the user stays online this long, so a reconnect does not flap. */
  graceMs: number;
  /** A user held only by another process's socket is checked again this often, in case that process dies. */
  remoteRecheckMs: number;
}

export type Liveness =
  /** Online; check again at `recheckAt` (null: nothing runs out, a socket closing will say so). */
  | { live: true; recheckAt: number | null }
  /** Offline now: `disconnect` when the socket's grace ended last, `timeout` when the heartbeat lease did. */
  | { live: false; reason: 'disconnect' | 'timeout' };

/**
 * A user is online while one of their sockets is open, or during the grace after the last one
 * closed, or while their heartbeat lease runs (5 minutes after the last heartbeat by default).
 */
export function judgeLiveness(inputs: LivenessInputs, rules: LivenessRules): Liveness {
  if (inputs.localSockets > 0) return { live: true, recheckAt: null };
  if (inputs.remoteSockets > 0) return { live: true, recheckAt: inputs.now + rules.remoteRecheckMs };
  const graceUntil = inputs.socketClosedAt === null ? null : inputs.socketClosedAt + rules.graceMs;
  const holds = [inputs.heartbeatUntil, graceUntil].filter((until): until is number => until !== null && until > inputs.now);
  if (holds.length > 0) return { live: true, recheckAt: Math.max(...holds) };
  const socketEndedLast = graceUntil !== null && (inputs.heartbeatUntil === null || graceUntil >= inputs.heartbeatUntil);
  return { live: false, reason: socketEndedLast ? 'disconnect' : 'timeout' };
}
