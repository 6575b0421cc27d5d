import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SettingSource } from '../commands/plugin-settings';
import type { FieldType } from '../domain/plugin';
import type { IntegrationStatus } from '../projections/integration-views';
import type { SyncOutcome, SyncProblem } from '../reactors/sync-status';

const FIELD_TYPES: FieldType[] = ['number', 'duration', 'time', 'text', 'boolean'];
const STATUSES: IntegrationStatus[] = ['not_connected', 'ok', 'partial', 'error', 'rate_limited', 'reconnect_needed', 'disabled'];
const OUTCOMES: SyncOutcome[] = ['ok', 'partial', 'error', 'rate_limited', 'reconnect_needed'];
const PROBLEM_CODES: SyncProblem['code'][] = ['upstream_unavailable', 'upstream_refused', 'fields_unavailable', 'rate_limited', 'reconnect_needed', 'internal'];

export class FieldResponse {
  @ApiProperty({ example: 'steps' })
  id: string;

  @ApiProperty({ example: 'fitbit.steps', description: 'The metric key its values are stored and read under' })
  key: string;

  @ApiProperty({ example: 'Steps' })
  name: string;

  @ApiProperty({ enum: FIELD_TYPES, description: 'duration and time values are zero-padded HH:MM strings' })
  type: FieldType;

  @ApiProperty({ type: String, nullable: true, example: 'steps' })
  unit: string | null;

  @ApiProperty()
  description: string;
}

export class SyncProblemResponse {
  @ApiProperty({ enum: PROBLEM_CODES })
  code: SyncProblem['code'];

  @ApiProperty({ example: 'Fitbit did not answer in time; the next sync tries again.' })
  message: string;

  @ApiPropertyOptional({ type: [String], description: 'Only these fields failed' })
  fields?: string[];
}

export class IntegrationResponse {
  @ApiProperty({ example: 'fitbit' })
  id: string;

  @ApiProperty({ example: 'Fitbit' })
  name: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ example: '⌚' })
  icon: string;

  @ApiProperty({ description: 'Whether the operator configured the plugin, so it can be connected' })
  configured: boolean;

  @ApiProperty()
  connected: boolean;

  @ApiProperty({ description: 'Whether the hourly syncs run' })
  enabled: boolean;

  @ApiProperty({ enum: STATUSES })
  status: IntegrationStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The last sync that imported' })
  lastSync: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastAttempt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: "While rate-limited: when the service's budget refills" })
  retryAt: string | null;

  @ApiProperty({ type: [SyncProblemResponse], description: 'What the last sync could not do' })
  problems: SyncProblemResponse[];

  @ApiProperty({ type: [FieldResponse] })
  fields: FieldResponse[];
}

export class SyncResultResponse {
  @ApiProperty({ example: 'fitbit' })
  pluginId: string;

  @ApiProperty({ enum: OUTCOMES })
  outcome: SyncOutcome;

  @ApiProperty({ example: '2025-03-10' })
  startDate: string;

  @ApiProperty({ example: '2025-03-13' })
  endDate: string;

  @ApiProperty({ description: 'Days the service had at least one value for' })
  daysRead: number;

  @ApiProperty({ description: 'Values new or changed since the last import; importing the same days again imports 0' })
  valuesImported: number;

  @ApiProperty({ type: [SyncProblemResponse] })
  problems: SyncProblemResponse[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  retryAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  syncedAt: string;
}

export class ConnectLinkResponse {
  @ApiProperty({ description: 'Open it in a browser within ten minutes, once, to connect' })
  url: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: string;
}

export class AdminFieldResponse {
  @ApiProperty({ example: 'clientSecret' })
  id: string;

  @ApiProperty()
  label: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ description: 'Whether a form should mask it; every value is sealed and never shown either way' })
  secret: boolean;

  @ApiProperty()
  required: boolean;

  @ApiProperty({ example: 'FITBIT_CLIENT_SECRET', description: 'The environment variable used when no value was set over the API' })
  env: string;

  @ApiProperty()
  set: boolean;

  @ApiProperty({ enum: ['api', 'environment'], nullable: true })
  source: SettingSource;
}

export class SetupInfoResponse {
  @ApiProperty({ example: 'https://herald.example.org/api/v1/plugins/fitbit/callback', description: 'Register it with the provider' })
  callbackUrl: string;

  @ApiProperty({ type: [String] })
  steps: string[];
}

export class AdminPluginResponse {
  @ApiProperty({ example: 'fitbit' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  description: string;

  @ApiProperty()
  icon: string;

  @ApiProperty({ description: 'Every required setting is set' })
  configured: boolean;

  @ApiProperty({ type: [AdminFieldResponse] })
  fields: AdminFieldResponse[];

  @ApiProperty({ type: SetupInfoResponse })
  setupInfo: SetupInfoResponse;
}

export class MetricDayResponse {
  @ApiProperty({ example: '2025-03-10' })
  date: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] },
    example: { 'fitbit.steps': 8423, 'fitbit.sleepLength': '07:01' },
  })
  values: Record<string, number | string | boolean>;
}

export class MetricsResponse {
  @ApiProperty({ type: [MetricDayResponse], description: 'Days with at least one value, in date order' })
  days: MetricDayResponse[];
}
