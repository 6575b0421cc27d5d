import type { RecordedEvent } from '@herald/core';
import { readAllPages, type EventStore, type EventSubscription } from '@herald/eventstore';
import type { ReadStore, ReadStoreSession, Scope } from '@herald/readstore';
import type { Projection } from './projection';
import { scopeGuardedSession } from './scope-guarded-session';
import { readModelDigest } from './read-model-digest';
import { BatchSession, DocumentCache } from './batch-session';

export type ProjectionState = 'starting' | 'running' | 'failed' | 'paused' | 'stopped';

export interface ProjectionFailure {
  position: number;
  eventType: string;
  streamId: string;
  message: string;
  at: string;
}

export interface ProjectionStatus {
  name: string;
  state: ProjectionState;
  /** Last global position applied, null before the first event. */
  position: number | null;
  failure?: ProjectionFailure;
}

export interface RebuildProgress {
  projection: string;
  applied: number;
  position: number | null;
  headPosition: number | null;
  eventsPerSecond: number;
  /** Seconds left, estimated from the distance to the head of the log. */
  etaSeconds: number | null;
}

export interface ProjectionLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionRunnerOptions {
  maxBatchSize?: number;
  /** First wait before a failed projection is retried; doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long a rebuild lease holds before it must be renewed. */
  rebuildLeaseMs?: number;
  logger?: ProjectionLogger;
}

/** Another writer moved the checkpoint (a rebuild, or a second Herald process): resume from the stored one. */
class CheckpointMoved extends Error {}

class ProjectionEventFailed extends Error {
  constructor(
    readonly event: RecordedEvent,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const LEASES = '_projection_leases';
const silentLogger: ProjectionLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Runs projections: each catches up from its checkpoint, then follows the log live. A batch and its
 * checkpoint are written in one transaction, guarded by compare-and-set on the checkpoint, so two
 * processes (the server and a CLI rebuild) can never apply the same batch twice. A projection that
 * throws stops at that event and is retried with back-off; it never skips an event.
 */
export class ProjectionRunner {
  private readonly statuses = new Map<string, ProjectionStatus>();
  private readonly subscriptions = new Map<string, EventSubscription>();
  private readonly loops: Promise<void>[] = [];
  private readonly wakeUps = new Set<() => void>();
  private stopping = false;
  private readonly maxBatchSize: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly rebuildLeaseMs: number;
  private readonly logger: ProjectionLogger;

  private readonly registered: Projection[] = [];

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    projections: readonly Projection[] = [],
    options: ProjectionRunnerOptions = {},
  ) {
    this.register(projections);
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.rebuildLeaseMs = options.rebuildLeaseMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
  }

  get projections(): readonly Projection[] {
    return this.registered;
  }

  /** Adds projections; call before `start`. */
  register(projections: readonly Projection[]): void {
    for (const projection of projections) {
      if (this.statuses.has(projection.name)) throw new Error(`two projections are named ${projection.name}`);
      this.registered.push(projection);
      this.statuses.set(projection.name, { name: projection.name, state: 'stopped', position: null });
    }
  }

  start(): void {
    this.stopping = false;
    for (const projection of this.projections) this.loops.push(this.follow(projection));
  }

  /** Stops following the log; the batch in flight is committed (with its checkpoint) before this resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakeUps) wake();
    await Promise.all([...this.subscriptions.values()].map((subscription) => subscription.close()));
    await Promise.all(this.loops.splice(0));
  }

  status(): ProjectionStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  /** Events matching the projection's filter after its checkpoint, counted up to `cap`. */
  async lag(name: string, cap = 10_000): Promise<number> {
    const projection = this.projection(name);
    const checkpoint = await this.readStore.getCheckpoint(name);
    const pages = readAllPages(this.eventStore, { afterPosition: checkpoint ?? undefined, filter: projection.filter, pageSize: cap });
    const first = await pages.next();
    await pages.return(undefined);
    return first.done ? 0 : first.value.length;
  }

  /**
   * Resolves once every projection (or those named) has applied every matching event up to the
   * current head: tests, the CLI, and a command whose caller must read its own write at once.
   */
  async waitUntilCaughtUp(timeoutMs = 10_000, names?: readonly string[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const waitedFor = names === undefined ? this.projections : names.map((name) => this.projection(name));
    for (;;) {
      const lags = await Promise.all(waitedFor.map((p) => this.lag(p.name, 1)));
      if (lags.every((lag) => lag === 0)) return;
      if (Date.now() > deadline) {
        const failed = this.status().find((s) => s.state === 'failed');
        throw new Error(`projections did not catch up in time${failed ? `: ${failed.name} failed: ${failed.failure?.message}` : ''}`);
      }
      await delay(20);
    }
  }

  /**
   * Drops the projection's read models in every scope and replays the whole log into them.
   * Holds a lease meanwhile so a running server pauses that projection instead of competing.
   * Returns the digest of the rebuilt collections. An aborted `signal` stops the replay between pages.
   */
  async rebuild(name: string, onProgress?: (progress: RebuildProgress) => void, signal?: AbortSignal): Promise<string> {
    const projection = this.projection(name);
    const holder = `rebuild-${process.pid}-${Date.now()}`;
    await this.takeLease(name, holder);
    try {
      const scopes = await this.readStore.listScopes();
      await this.readStore.transaction(
        async (session) => {
          for (const scope of scopes) {
            const scoped = session.forScope(scope);
            for (const collection of projection.collections) await scoped.dropCollection(collection);
            await session.setCheckpoint(name, null, scope);
          }
          await session.setCheckpoint(name, null);
        },
        { sessionOnly: true },
      );
      const started = Date.now();
      const headPosition = await this.eventStore.headPosition();
      let position: number | null = null;
      let applied = 0;
      let leaseRenewedAt = Date.now();
      const documents = new DocumentCache();
      for await (const page of this.eventStore.scanAll({ filter: projection.filter, pageSize: 1000 })) {
        // Stopping halfway is safe: the checkpoint stands where the replay got to, and following resumes from it.
        signal?.throwIfAborted();
        position = await this.applyBatch(projection, page, position, documents);
        applied += page.length;
        if (Date.now() - leaseRenewedAt > this.rebuildLeaseMs / 3) {
          await this.takeLease(name, holder);
          leaseRenewedAt = Date.now();
        }
        if (onProgress) {
          const seconds = Math.max((Date.now() - started) / 1000, 0.001);
          const rate = applied / seconds;
          // Positions are not event counts (EventStoreDB), so the ETA is the distance left at the pace in positions.
          const positionRate = position / seconds;
          onProgress({
            projection: name,
            applied,
            position,
            headPosition,
            eventsPerSecond: Math.round(rate),
            etaSeconds:
              headPosition === null || positionRate === 0 ? null : Math.max(0, (headPosition - position) / positionRate),
          });
        }
      }
      this.logger.log(`projection ${name} rebuilt: ${applied} events`);
      return readModelDigest(this.readStore, projection.collections);
    } finally {
      await this.releaseLease(name, holder);
    }
  }

  private projection(name: string): Projection {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`no projection is named ${name}`);
    return projection;
  }

  private setStatus(name: string, change: Partial<ProjectionStatus>): void {
    const status = this.statuses.get(name)!;
    Object.assign(status, change);
    if (change.state && change.state !== 'failed') delete status.failure;
  }

  private async follow(projection: Projection): Promise<void> {
    let retryDelay = this.retryDelayMs;
    this.setStatus(projection.name, { state: 'starting' });
    while (!this.stopping) {
      let position: number | null;
      try {
        if (await this.isLeased(projection.name)) {
          this.setStatus(projection.name, { state: 'paused' });
          await this.sleep(1000);
          continue;
        }
        position = await this.readStore.getCheckpoint(projection.name);
      } catch (error) {
        this.logger.error(`projection ${projection.name} cannot read its checkpoint: ${describe(error)}`);
        await this.sleep(retryDelay);
        retryDelay = Math.min(retryDelay * 2, this.maxRetryDelayMs);
        continue;
      }
      // A failed projection stays failed (and visible) until the failing event goes through.
      const resumed = this.statuses.get(projection.name)!.state === 'failed' ? {} : { state: 'running' as const };
      this.setStatus(projection.name, { position, ...resumed });
      const subscription = this.eventStore.subscribeToAll({
        afterPosition: position ?? undefined,
        filter: projection.filter,
        maxBatchSize: this.maxBatchSize,
      });
      this.subscriptions.set(projection.name, subscription);
      try {
        for await (const batch of subscription) {
          if (this.stopping) break;
          if (await this.isLeased(projection.name)) break;
          try {
            position = await this.applyBatch(projection, batch, position);
          } catch (error) {
            // Keep what came before the failing event, so the checkpoint stops right at it.
            const failedAt = error instanceof ProjectionEventFailed ? batch.indexOf(error.event) : 0;
            if (failedAt > 0) position = await this.applyBatch(projection, batch.slice(0, failedAt), position);
            this.setStatus(projection.name, { position });
            throw error;
          }
          this.setStatus(projection.name, { position, state: 'running' });
          retryDelay = this.retryDelayMs;
        }
      } catch (error) {
        if (!(error instanceof CheckpointMoved)) {
          this.recordFailure(projection.name, error);
          await this.sleep(retryDelay);
          retryDelay = Math.min(retryDelay * 2, this.maxRetryDelayMs);
        }
      } finally {
        this.subscriptions.delete(projection.name);
        await subscription.close();
      }
    }
    this.setStatus(projection.name, { state: 'stopped' });
  }

  private recordFailure(name: string, error: unknown): void {
    const failed = error instanceof ProjectionEventFailed ? error.event : undefined;
    const failure: ProjectionFailure = {
      position: failed?.position ?? -1,
      eventType: failed?.type ?? 'unknown',
      streamId: failed?.streamId ?? 'unknown',
      message: describe(error instanceof ProjectionEventFailed ? error.cause : error),
      at: new Date().toISOString(),
    };
    this.setStatus(name, { state: 'failed' });
    this.statuses.get(name)!.failure = failure;
    this.logger.error(
      `projection ${name} stopped at position ${failure.position} (${failure.eventType} in ${failure.streamId}): ${failure.message}`,
    );
  }

  /**
   * Applies a batch and moves the checkpoint in one transaction; returns the new checkpoint.
   * `documents` carries documents from batch to batch: only for a writer that holds the lease.
   */
  private async applyBatch(
    projection: Projection,
    batch: RecordedEvent[],
    expected: number | null,
    documents?: DocumentCache,
  ): Promise<number> {
    const last = batch[batch.length - 1].position;
    const atomic = this.readStore.atomicTransactions;
    let unitOfWork: BatchSession | undefined;
    await this.readStore.transaction(async (session) => {
      const stored = await session.getCheckpoint(projection.name);
      if (stored !== expected) throw new CheckpointMoved();
      if (atomic) {
        unitOfWork = new BatchSession(session, documents);
        for (const event of batch) await applyEvent(projection, event, unitOfWork);
        await unitOfWork.flush();
      } else {
        const touched = new Map<string, Scope>();
        for (const event of batch) {
          await applyEvent(projection, event, scopeGuardedSession(session, projection.name, event, touched));
          for (const scope of touched.values()) await session.setCheckpoint(projection.name, event.position, scope);
          touched.clear();
        }
      }
      await session.setCheckpoint(projection.name, last);
    }, { sessionOnly: true });
    unitOfWork?.committed();
    return last;
  }

  /** Whether a rebuild holds the projection (in this process or another, such as the CLI). */
  async isRebuilding(name: string): Promise<boolean> {
    return this.isLeased(this.projection(name).name);
  }

  private async isLeased(name: string): Promise<boolean> {
    const lease = await this.readStore.global().collection<{ id: string; holder: string; until: number }>(LEASES).get(name);
    return lease !== null && lease.until > Date.now();
  }

  private async takeLease(name: string, holder: string): Promise<void> {
    await this.readStore.global().collection(LEASES).upsert({ id: name, holder, until: Date.now() + this.rebuildLeaseMs });
  }

  private async releaseLease(name: string, holder: string): Promise<void> {
    const leases = this.readStore.global().collection<{ id: string; holder: string; until: number }>(LEASES);
    const lease = await leases.get(name);
    if (lease?.holder === holder) await leases.delete(name);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeUps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeUps.add(wake);
    });
  }
}

async function applyEvent(projection: Projection, event: RecordedEvent, session: ReadStoreSession): Promise<void> {
  try {
    await projection.apply(event, session);
  } catch (error) {
    throw new ProjectionEventFailed(event, error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
