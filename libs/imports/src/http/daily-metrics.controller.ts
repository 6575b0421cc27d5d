import { Controller, Get, Header, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { InvalidInput } from '@herald/core';
import { daysInRange } from '../domain/dates';
import { metricDays, metricsCsv } from '../domain/metric-table';
import { ImportsReadModel } from '../projections/imports.read-model';
import { MetricsQuery } from './imports-requests.dto';
import { MetricsResponse } from './imports.responses';
import { OwnUserId } from '@herald/identity';

const MAX_DAYS = 366;

/** The caller's daily metric values, as JSON or CSV. */
@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/me/metrics')
export class DailyMetricsController {
  constructor(private readonly readModel: ImportsReadModel) {}

  @ApiOperation({ summary: 'Daily values by day and metric key (`fitbit.steps`), as JSON or as text/csv (Accept header, or format=csv)' })
  @ApiOkResponse({ type: MetricsResponse })
  @ApiProduces('application/json', 'text/csv')
  @Get()
  @Header('Cache-Control', 'no-store')
  async metrics(
    @Query() query: MetricsQuery,
    @OwnUserId() userId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MetricsResponse | string> {
    if (query.from > query.to || daysInRange(query.from, query.to) > MAX_DAYS) {
      throw new InvalidInput('Invalid fields: from, to.', {
        code: 'METRICS.RANGE_INVALID',
        errors: [{ field: 'to', messages: [`to must be on or after from, at most ${MAX_DAYS} days later`] }],
      });
    }
    const metrics = query.metrics?.split(',');
    const days = metricDays(await this.readModel.metricValues(userId, query.from, query.to, metrics));
    const csv = query.format === 'csv' || (query.format === undefined && request.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (!csv) return { days };
    response.type('text/csv; charset=utf-8');
    return metricsCsv(days, metrics);
  }
}
