import { HeraldError, NotFound } from '@herald/core';
import type { ProjectionLogger, ProjectionRunner, ProjectionStatus } from './projection-runner';

/** The last rebuild a process ran of a projection, or the one it is running. */
export interface RebuildRun {
  startedAt: string;
  /** Events replayed so far. */
  processed: number;
  finishedAt?: string;
  /** Why it stopped, when it failed. */
  error?: string;
}

export interface ProjectionOverview extends ProjectionStatus {
  /** Events it has yet to apply, counted up to 10,000. */
  lag: number;
  rebuild?: RebuildRun;
}

export class RebuildRunning extends HeraldError {
  constructor(name: string) {
    super({
      code: 'PROJECTION.REBUILD_RUNNING',
      status: 409,
      title: 'Rebuild running',
      detail: `The projection ${name} is being rebuilt already; follow its progress in GET /api/v1/admin/projections.`,
    });
  }
}

/**
 * Rebuilds started from the API: each runs in the background of the server while its progress is
 * read from `overview()`. One at a time per projection, and none while another process (the CLI)
 * holds the projection's rebuild lease. Shutting down stops them between pages; following the log
 * then resumes from where the replay got to.
 */
export class BackgroundRebuilds {
  private readonly runs = new Map<string, RebuildRun>();
  private readonly running = new Map<string, { done: Promise<void>; abort: AbortController }>();

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly logger: ProjectionLogger = { log: () => undefined, warn: () => undefined, error: () => undefined },
  ) {}

  /** Every projection: state, checkpoint, lag and the last rebuild run here. */
  async overview(): Promise<ProjectionOverview[]> {
    return Promise.all(
      this.runner.status().map(async (status) => {
        const rebuild = this.runs.get(status.name);
        return { ...status, lag: await this.runner.lag(status.name), ...(rebuild ? { rebuild: { ...rebuild } } : {}) };
      }),
    );
  }

  /** Starts rebuilding `name` and returns once it runs. */
  async start(name: string): Promise<RebuildRun> {
    if (!this.runner.projections.some((projection) => projection.name === name)) {
      throw new NotFound(`No projection is named ${name}.`, { code: 'PROJECTION.NOT_FOUND' });
    }
    const leased = await this.runner.isRebuilding(name);
    // Read after the lease: another request may have started one meanwhile.
    if (leased || this.running.has(name)) throw new RebuildRunning(name);
    const run: RebuildRun = { startedAt: new Date().toISOString(), processed: 0 };
    this.runs.set(name, run);
    const abort = new AbortController();
    const done = this.runner
      .rebuild(name, (progress) => (run.processed = progress.applied), abort.signal)
      .then(
        () => this.logger.log(`projection ${name} rebuilt from the API: ${run.processed} events`),
        (error: unknown) => {
          run.error = error instanceof Error ? error.message : String(error);
          const message = `projection ${name}: rebuild from the API stopped after ${run.processed} events: ${run.error}`;
          if (abort.signal.aborted) this.logger.warn(message);
          else this.logger.error(message);
        },
      )
      .finally(() => {
        run.finishedAt = new Date().toISOString();
        this.running.delete(name);
      });
    this.running.set(name, { done, abort });
    return { ...run };
  }

  /** Stops the rebuilds in flight and waits until they let go of the store. */
  async stop(): Promise<void> {
    const inFlight = [...this.running.values()];
    for (const { abort } of inFlight) abort.abort(new Error('Herald is shutting down'));
    await Promise.all(inFlight.map(({ done }) => done));
  }
}
