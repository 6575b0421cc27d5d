import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import {
  COUNTING_MODE_RULE,
  COUNTING_MODES,
  type CountingMode,
  IsClanTag,
  IsPlayerId,
  IsSnowflake,
  isCountingMode,
  isSyncIntervalHours,
  MAX_SYNC_INTERVAL_HOURS,
  MIN_SYNC_INTERVAL_HOURS,
  PLAYER_ID_PATTERN,
  SNOWFLAKE_PATTERN,
  SYNC_INTERVAL_RULE,
} from '../domain/ids';

const MAX_GUILD_NAME_LENGTH = 100;
export const MAX_LEADERBOARD_PAGE = 100;
export const DEFAULT_LEADERBOARD_PAGE = 25;
const LIMIT_RULE = `limit must be an integer from 1 to ${MAX_LEADERBOARD_PAGE}`;
/** Read-store cursors are short base64url texts; the bound only keeps junk out. */
const MAX_CURSOR_LENGTH = 2048;

/** Present in the body: `null` is refused like any other wrong value, not read as "leave it". */
const IsGiven = () => ValidateIf((_object, value) => value !== undefined);

/** `PUT /guilds/:guildId` */
export class RegisterGuildBody {
  @ApiPropertyOptional({ maxLength: MAX_GUILD_NAME_LENGTH, example: 'OpenFront fans' })
  @IsOptional()
  @IsString()
  @Length(1, MAX_GUILD_NAME_LENGTH)
  name?: string;
}

/** `DELETE /guilds/:guildId?confirm=true` */
export class RemoveGuildQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Must be `true`: the guild and all its data are deleted.' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'confirm must be true or false' })
  confirm?: 'true' | 'false';
}

/** `PATCH /guilds/:guildId/settings`: at least one field. */
export class ChangeSettingsBody {
  @ApiPropertyOptional({ enum: COUNTING_MODES })
  @IsGiven()
  @ValidateBy({ name: 'isCountingMode', validator: { validate: isCountingMode } }, { message: `countingMode ${COUNTING_MODE_RULE}` })
  countingMode?: CountingMode;

  @ApiPropertyOptional({ type: 'integer', minimum: MIN_SYNC_INTERVAL_HOURS, maximum: MAX_SYNC_INTERVAL_HOURS })
  @IsGiven()
  @ValidateBy(
    { name: 'isSyncIntervalHours', validator: { validate: isSyncIntervalHours } },
    { message: `syncIntervalHours ${SYNC_INTERVAL_RULE}` },
  )
  syncIntervalHours?: number;
}

/** `PUT /guilds/:guildId/links/:userId` */
export class LinkPlayerBody {
  @ApiProperty({ example: 'q8ZfR2mK', pattern: PLAYER_ID_PATTERN.source, description: 'The OpenFront public player id' })
  @IsPlayerId()
  playerId: string;
}

/** `GET /guilds/:guildId/players` */
export class LeaderboardQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LEADERBOARD_PAGE, default: DEFAULT_LEADERBOARD_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_RULE })
  @Min(1, { message: LIMIT_RULE })
  @Max(MAX_LEADERBOARD_PAGE, { message: LIMIT_RULE })
  limit = DEFAULT_LEADERBOARD_PAGE;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, MAX_CURSOR_LENGTH)
  cursor?: string;
}

/** `POST /guilds/:guildId/sync` */
export class StartSyncBody {
  @ApiPropertyOptional({ pattern: SNOWFLAKE_PATTERN.source, description: 'Sync this linked member only' })
  @IsGiven()
  @IsSnowflake()
  userId?: string;

  @ApiPropertyOptional({ default: false, description: "Re-read members' Discord roles and repair drift" })
  @IsGiven()
  @IsBoolean()
  repairRoles?: boolean;
}

/** `PUT /guilds/:guildId/role-thresholds/:wins` */
export class SetRoleThresholdBody {
  @ApiProperty({ pattern: SNOWFLAKE_PATTERN.source, example: '613425648685547600' })
  @IsSnowflake()
  roleId: string;
}

/** `POST /guilds/:guildId/clan-tags` */
export class AddClanTagBody {
  @ApiProperty({ example: 'ABC', description: '2-5 letters or digits; stored upper-case' })
  @IsClanTag()
  tag: string;
}
