import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsUUID, ValidateBy } from 'class-validator';
import {
  IsClanTag,
  isThresholdWins,
  IsSnowflake,
  MAX_THRESHOLD_WINS,
  MIN_THRESHOLD_WINS,
  SNOWFLAKE_PATTERN,
  THRESHOLD_WINS_RULE,
} from '../domain/ids';

const SNOWFLAKE_EXAMPLE = { guild: '613425648685547541', user: '80351110224678912', role: '613425648685547600' };
const snowflake = (example: string) => ({ example, pattern: SNOWFLAKE_PATTERN.source });

/** A path segment of digits becomes a number; anything else stays text for the rule to refuse. */
const digitsToNumber = Transform(({ value }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value));

/** Route parameters `:guildId`. */
export class GuildParams {
  @ApiProperty(snowflake(SNOWFLAKE_EXAMPLE.guild))
  @IsSnowflake()
  guildId: string;
}

/** Route parameters `:guildId/…/:userId`. */
export class GuildMemberParams extends GuildParams {
  @ApiProperty(snowflake(SNOWFLAKE_EXAMPLE.user))
  @IsSnowflake()
  userId: string;
}

/** Route parameters `:guildId/…/:roleId`. */
export class GuildRoleParams extends GuildParams {
  @ApiProperty(snowflake(SNOWFLAKE_EXAMPLE.role))
  @IsSnowflake()
  roleId: string;
}

/** Route parameters `:guildId/role-thresholds/:wins`. */
export class ThresholdParams extends GuildParams {
  @ApiProperty({ type: 'integer', minimum: MIN_THRESHOLD_WINS, maximum: MAX_THRESHOLD_WINS, example: 10 })
  @digitsToNumber
  @ValidateBy({ name: 'isThresholdWins', validator: { validate: isThresholdWins } }, { message: `wins ${THRESHOLD_WINS_RULE}` })
  wins: number;
}

/** Route parameters `:guildId/clan-tags/:tag`. */
export class ClanTagParams extends GuildParams {
  @ApiProperty({ example: 'ABC', description: '2-5 letters or digits, any case' })
  @IsClanTag()
  tag: string;
}

/** Route parameters `:guildId/sync/:runId`. */
export class SyncRunParams extends GuildParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4', { message: 'runId must be the UUID of a sync run' })
  runId: string;
}
