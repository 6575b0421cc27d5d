import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore } from '@herald/eventstore';
import { READ_STORE, type ReadStore } from '@herald/readstore';
import { ProjectionRunner } from '@herald/projections';
import { Public } from '@herald/core';

const PING_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly projections: ProjectionRunner,
  ) {}

  /** Liveness: the process answers. */
  @Public()
  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: both stores answer and no projection is stopped at a failing event. A failure is a 503
   * with terminus's own report (which check, and for a projection the event it stopped at).
   */
  @Public()
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.ping('eventStore', () => this.eventStore.ping()),
        () => this.ping('readStore', () => this.readStore.ping()),
        () => {
          const check = this.indicators.check('projections');
          const statuses = this.projections.status();
          const details = Object.fromEntries(statuses.map((s) => [s.name, { state: s.state, position: s.position, failure: s.failure }]));
          return statuses.some((status) => status.state === 'failed') ? check.down(details) : check.up(details);
        },
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private async ping(key: string, ping: () => Promise<void>) {
    const check = this.indicators.check(key);
    try {
      await withTimeout(ping(), PING_TIMEOUT_MS);
      return check.up();
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailableException(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
