import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, type Clock, HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { type Document, READ_STORE, type ReadStore, type ReadStoreSession } from '@herald/readstore';
import type { LivenessInputs } from '../domain/liveness';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence-options';

/**
 * User scope: the user's lease, written by every Herald process that sees them active. Bookkeeping
 * (the `_` prefix), not a read model: no projection owns it, and read-model digests leave it out.
 */
export const LEASE_COLLECTION = '_presence_lease';
export const LEASE_DOCUMENT_ID = 'lease';
/** Global scope, bookkeeping too: one document per running Herald process, refreshed while it lives. */
export const INSTANCES_COLLECTION = '_presence_instances';

/** What holds a user online, as the read store keeps it. Times are epoch ms of Herald's clock. */
export interface LeaseDocument extends Document {
  heartbeatUntil: number | null;
  lastActiveAt: number | null;
  socketClosedAt: number | null;
  /** Open sockets by Herald process (instance id). */
  sockets: Record<string, number>;
}

interface InstanceDocument extends Document {
  aliveUntil: number;
}

interface LocalLease {
  heartbeatUntil: number | null;
  lastActiveAt: number | null;
  socketClosedAt: number | null;
  sockets: number;
  dirty: boolean;
}

/** A process that has not refreshed its document for this long is taken for dead, and its sockets with it. */
const INSTANCE_TTL_MS = 30_000;
const INSTANCE_REFRESH_MS = 10_000;
/**
 * Leases written per transaction. A flush yields to the event loop between its transactions: at 500
 * status changes a second (bench g) each flush has 500 leases to merge, and one transaction of them
 * held every socket message back for its whole length.
 */
const LEASES_PER_TRANSACTION = 100;

/**
 * Heartbeats, activity and open sockets: leases, not events. Each is recorded in memory at once
 * and written to the read store in one batch per `leaseFlushMs`, merged with what other Herald
 * processes wrote (the later time wins; each process owns its own socket count), so 20,000
 * heartbeats a second cost one write per active user per flush, and a restart or a second process
 * still knows who is held online.
 */
@Injectable()
export class PresenceLeases implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** This process among the Herald processes sharing the store. */
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('PresenceLeases');
  private readonly local = new Map<string, LocalLease>();
  private liveInstances = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.run) return;
    await this.refreshInstances();
    this.timers = [
      setInterval(() => void this.flush(), this.config.presence.leaseFlushMs),
      setInterval(() => void this.refreshInstances().catch((error: unknown) => this.logger.warn(`instance refresh failed: ${describe(error)}`)), INSTANCE_REFRESH_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (!this.options.run) return;
    await this.flush();
    await this.store.global().collection(INSTANCES_COLLECTION).delete(this.instanceId).catch(() => false);
  }

  /** A heartbeat: the user is held online until the timeout after it. Returns when the lease runs out. */
  heartbeat(userId: string): number {
    const now = this.now();
    const lease = this.lease(userId);
    lease.heartbeatUntil = now + this.config.presence.timeoutMs;
    lease.lastActiveAt = now;
    lease.dirty = true;
    return lease.heartbeatUntil;
  }

  /** Any sign of the user (a socket message): `lastActiveAt` only; it holds nobody online. */
  activity(userId: string): void {
    const now = this.now();
    const lease = this.lease(userId);
    // Written at most once a second per user: the read store need not see every message.
    if (lease.lastActiveAt !== null && now - lease.lastActiveAt < 1_000) return;
    lease.lastActiveAt = now;
    lease.dirty = true;
  }

  /** Returns the user's open sockets in this process, this one included. */
  socketOpened(userId: string): number {
    const lease = this.lease(userId);
    lease.sockets += 1;
    lease.lastActiveAt = this.now();
    lease.dirty = true;
    return lease.sockets;
  }

  /** Returns the user's sockets still open in this process. */
  socketClosed(userId: string): number {
    const lease = this.lease(userId);
    lease.sockets = Math.max(0, lease.sockets - 1);
    if (lease.sockets === 0) lease.socketClosedAt = this.now();
    lease.lastActiveAt = this.now();
    lease.dirty = true;
    return lease.sockets;
  }

  /** What holds the user online right now, here and in the other live Herald processes. */
  async inputs(userId: string): Promise<LivenessInputs & { lastActiveAt: number | null }> {
    const now = this.now();
    const stored = await this.leases(this.store).get(userId);
    const mine = this.local.get(userId);
    let remoteSockets = 0;
    for (const [instance, count] of Object.entries(stored?.sockets ?? {})) {
      if (instance !== this.instanceId && count > 0 && this.liveInstances.has(instance)) remoteSockets += count;
    }
    return {
      now,
      localSockets: mine?.sockets ?? 0,
      remoteSockets,
      heartbeatUntil: later(stored?.heartbeatUntil, mine?.heartbeatUntil),
      socketClosedAt: later(stored?.socketClosedAt, mine?.socketClosedAt),
      lastActiveAt: later(stored?.lastActiveAt, mine?.lastActiveAt),
    };
  }

  /** Writes the leases that changed since the last flush, a hundred per transaction; one flush at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeDirty()).catch((error: unknown) => {
      this.logger.error(`writing presence leases failed, retried at the next flush: ${describe(error)}`);
    });
    return this.flushing;
  }

  private async writeDirty(): Promise<void> {
    const dirty = [...this.local].filter(([, lease]) => lease.dirty);
    if (dirty.length === 0) return;
    for (const [, lease] of dirty) lease.dirty = false;
    for (let from = 0; from < dirty.length; from += LEASES_PER_TRANSACTION) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      const chunk = dirty.slice(from, from + LEASES_PER_TRANSACTION);
      try {
        await this.store.transaction(async (session) => {
          const leases = this.leases(session);
          for (const [userId, lease] of chunk) await leases.merge(userId, lease);
        }, { sessionOnly: true });
      } catch (error) {
        for (const [, lease] of dirty.slice(from)) lease.dirty = true;
        throw error;
      }
    }
    this.forgetIdle();
  }

  /** Entries that hold nothing any more and are written need not stay in memory. */
  private forgetIdle(): void {
    const now = this.now();
    const graceMs = this.config.presence.disconnectGraceMs;
    for (const [userId, lease] of this.local) {
      const holds = lease.sockets > 0 || (lease.heartbeatUntil ?? 0) > now || (lease.socketClosedAt ?? -Infinity) + graceMs > now;
      if (!lease.dirty && !holds) this.local.delete(userId);
    }
  }

  private leases(session: ReadStoreSession) {
    const instanceId = this.instanceId;
    return {
      get: (userId: string) => session.forUser(userId).collection<LeaseDocument>(LEASE_COLLECTION).get(LEASE_DOCUMENT_ID),
      async merge(userId: string, lease: LocalLease): Promise<void> {
        const collection = session.forUser(userId).collection<LeaseDocument>(LEASE_COLLECTION);
        const stored = await collection.get(LEASE_DOCUMENT_ID);
        const sockets = { ...stored?.sockets, [instanceId]: lease.sockets };
        if (lease.sockets === 0) delete sockets[instanceId];
        await collection.upsert({
          id: LEASE_DOCUMENT_ID,
          heartbeatUntil: later(stored?.heartbeatUntil, lease.heartbeatUntil),
          lastActiveAt: later(stored?.lastActiveAt, lease.lastActiveAt),
          socketClosedAt: later(stored?.socketClosedAt, lease.socketClosedAt),
          sockets,
        });
      },
    };
  }

  private async refreshInstances(): Promise<void> {
    const now = this.now();
    const instances = this.store.global().collection<InstanceDocument>(INSTANCES_COLLECTION);
    await instances.upsert({ id: this.instanceId, aliveUntil: now + INSTANCE_TTL_MS });
    const live = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await instances.find({ filter: { aliveUntil: { $gt: now } }, limit: 1000, cursor });
      for (const instance of page.items) live.add(instance.id);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    this.liveInstances = live;
  }

  private lease(userId: string): LocalLease {
    let lease = this.local.get(userId);
    if (!lease) {
      lease = { heartbeatUntil: null, lastActiveAt: null, socketClosedAt: null, sockets: 0, dirty: false };
      this.local.set(userId, lease);
    }
    return lease;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function later(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  return Math.max(a, b);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
