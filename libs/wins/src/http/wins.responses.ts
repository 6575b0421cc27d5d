import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  COUNTING_MODES,
  type CountingMode,
  MAX_SYNC_INTERVAL_HOURS,
  MAX_THRESHOLD_WINS,
  MIN_SYNC_INTERVAL_HOURS,
  MIN_THRESHOLD_WINS,
} from '../domain/ids';
import type { MemberSyncFailureReason, RoleChangeFailure } from '../domain/events';

const MEMBER_SYNC_FAILURE_REASONS: MemberSyncFailureReason[] = ['player_not_found', 'upstream_unavailable', 'upstream_malformed'];
const ROLE_FAILURE_REASONS: RoleChangeFailure['reason'][] = ['missing_permissions', 'unknown_role', 'unknown_member', 'error'];

export class GuildRegistrationResponse {
  @ApiProperty()
  guildId: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ description: 'False when the guild was registered already' })
  created: boolean;

  @ApiProperty({ type: [String], description: 'Threshold roles Discord no longer knows' })
  missingThresholdRoleIds: string[];
}

export class RoleProblemResponse {
  @ApiProperty()
  roleId: string;

  @ApiProperty({ enum: ROLE_FAILURE_REASONS })
  reason: RoleChangeFailure['reason'];

  @ApiProperty({ type: Number, nullable: true, description: "Discord's error code (50013, 10011…)" })
  code: number | null;

  @ApiProperty()
  message: string;

  @ApiProperty({ description: 'The member whose role change Discord refused' })
  userId: string;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class GuildSettingsResponse {
  @ApiProperty({ enum: COUNTING_MODES })
  countingMode: CountingMode;

  @ApiProperty({ type: 'integer', minimum: MIN_SYNC_INTERVAL_HOURS, maximum: MAX_SYNC_INTERVAL_HOURS })
  syncIntervalHours: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'No sync starts before this time' })
  backoffUntil: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSyncAt: string | null;

  @ApiProperty({ type: [RoleProblemResponse], description: 'Role changes Discord refused, until a later change of that role works' })
  roleProblems: RoleProblemResponse[];
}

export class LinkResponse {
  @ApiProperty()
  playerId: string;

  @ApiProperty({ type: String, nullable: true })
  username: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'null when OpenFront could not be read just now' })
  wins: number | null;
}

export class PlayerResponse {
  @ApiProperty()
  userId: string;

  @ApiProperty()
  playerId: string;

  @ApiProperty({ format: 'date-time' })
  linkedAt: string;

  @ApiProperty({ type: Number, nullable: true, description: 'null until the first count' })
  wins: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'The threshold role the member holds through Herald' })
  roleId: string | null;

  @ApiProperty({ type: String, nullable: true })
  username: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSyncAt: string | null;

  @ApiProperty({ type: String, enum: MEMBER_SYNC_FAILURE_REASONS, nullable: true, description: 'Why the last sync failed' })
  lastFailure: MemberSyncFailureReason | null;
}

export class LeaderboardResponse {
  @ApiProperty({ type: [PlayerResponse], description: 'Most wins first; members never counted last' })
  items: PlayerResponse[];

  @ApiPropertyOptional({ description: 'Present when more players follow' })
  nextCursor?: string;
}

export class SyncStartedResponse {
  @ApiProperty({ format: 'uuid' })
  runId: string;
}

export class MemberSyncFailureResponse {
  @ApiProperty()
  userId: string;

  @ApiProperty()
  playerId: string;

  @ApiProperty({ enum: MEMBER_SYNC_FAILURE_REASONS })
  reason: MemberSyncFailureReason;
}

export class SyncRunResponse {
  @ApiProperty({ format: 'uuid' })
  runId: string;

  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] })
  state: 'queued' | 'running' | 'completed' | 'failed';

  @ApiProperty()
  checked: number;

  @ApiProperty()
  changed: number;

  @ApiProperty()
  failed: number;

  @ApiProperty({ type: Number, nullable: true, description: 'null while the run goes on' })
  durationMs: number | null;

  @ApiProperty({ type: [MemberSyncFailureResponse] })
  failures: MemberSyncFailureResponse[];
}

export class RoleThresholdResponse {
  @ApiProperty({ type: 'integer', minimum: MIN_THRESHOLD_WINS, maximum: MAX_THRESHOLD_WINS })
  wins: number;

  @ApiProperty()
  roleId: string;
}

export class RoleThresholdListResponse {
  @ApiProperty({ type: [RoleThresholdResponse], description: 'Fewest wins first' })
  items: RoleThresholdResponse[];
}

export class ClanTagResponse {
  @ApiProperty({ example: 'ABC', description: 'As stored: upper-case' })
  tag: string;
}

export class ClanTagListResponse {
  @ApiProperty({ type: [String], example: ['ABC', 'XYZ'] })
  items: string[];
}

export class AdminRoleListResponse {
  @ApiProperty({ type: [String], description: 'Members holding one of these roles administer Herald in the guild' })
  items: string[];
}
