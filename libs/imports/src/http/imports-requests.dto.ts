import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, Matches, ValidateBy } from 'class-validator';
import { isIsoDate } from '../domain/dates';
import { METRIC_KEY } from '../domain/plugin';

const IsIsoDate = () =>
  ValidateBy({ name: 'isIsoDate', validator: { validate: isIsoDate } }, { message: '$property must be a calendar date as YYYY-MM-DD' });

/** A plugin id in a path: what `assertValidPlugin` allows, so it is safe to repeat in an answer. */
export class PluginParams {
  @ApiProperty({ example: 'fitbit' })
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: 'pluginId must be 1-32 lower-case letters, digits or -, starting with a letter' })
  pluginId: string;
}

/** `POST /api/v1/plugins/{pluginId}/sync`. */
export class SyncIntegrationBody {
  @ApiPropertyOptional({ example: '2025-03-10', description: 'First day to import (default: six days before endDate)' })
  @IsOptional()
  @IsIsoDate()
  startDate?: string;

  @ApiPropertyOptional({ example: '2025-03-13', description: "Last day to import (default: today in the user's time zone); at most 100 days after startDate" })
  @IsOptional()
  @IsIsoDate()
  endDate?: string;
}

/** `PATCH /api/v1/plugins/{pluginId}`. */
export class UpdateIntegrationBody {
  @ApiProperty({ description: 'false pauses the hourly syncs; the connection stays' })
  @IsBoolean()
  enabled: boolean;
}

/** `PUT /api/v1/admin/plugins/{pluginId}/config`. */
export class ConfigurePluginBody {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    example: { clientId: '23ABCD', clientSecret: '0123456789abcdef0123456789abcdef' },
    description: 'Settings by id (GET /api/v1/admin/plugins lists them): a string sets one (sealed in the log), null removes it (the environment applies again)',
    writeOnly: true,
  })
  @IsObject()
  values: Record<string, unknown>;
}

const METRIC_LIST = new RegExp(`^${METRIC_KEY.source.slice(1, -1)}(,${METRIC_KEY.source.slice(1, -1)}){0,49}$`);

/** `GET /api/v1/me/metrics`. */
export class MetricsQuery {
  @ApiProperty({ example: '2025-03-10' })
  @IsIsoDate()
  from: string;

  @ApiProperty({ example: '2025-03-13', description: 'Inclusive; at most 366 days after from' })
  @IsIsoDate()
  to: string;

  @ApiPropertyOptional({ example: 'fitbit.steps,fitbit.sleepLength', description: 'Comma-separated metric keys (at most 50); default: all' })
  @IsOptional()
  @Matches(METRIC_LIST, { message: 'metrics must be up to 50 comma-separated metric keys such as fitbit.steps' })
  metrics?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'Overrides the Accept header' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
