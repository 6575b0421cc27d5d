import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { USER_ID_PATTERN, USER_ID_RULE } from '@herald/identity';
import {
  DAW_RULE,
  isDawName,
  isStatusMessage,
  MAX_DAW_LENGTH,
  MAX_STATUS_MESSAGE_LENGTH,
  PRESENCE_STATUSES,
  type PresenceStatus,
  STATUS_MESSAGE_RULE,
  STATUS_RULE,
} from '../domain/presence';

/** Most users one `GET /presence/users` may ask for. */
export const MAX_IDS_PER_QUERY = 100;
const MAX_FOLLOWERS_PAGE = 1000;
const LIMIT_RULE = `limit must be an integer from 1 to ${MAX_FOLLOWERS_PAGE}`;

/** Present and not null: a null message or DAW is the same as none. */
const IsGivenText = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** `PUT /api/v1/presence/status` */
export class SetPresenceBody {
  @ApiProperty({ enum: PRESENCE_STATUSES, example: 'in_studio' })
  @IsIn(PRESENCE_STATUSES, { message: `status ${STATUS_RULE}` })
  status: PresenceStatus;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_STATUS_MESSAGE_LENGTH, example: 'tracking vocals', description: 'Absent or null: no message' })
  @IsGivenText()
  @ValidateBy({ name: 'isStatusMessage', validator: { validate: isStatusMessage } }, { message: `message ${STATUS_MESSAGE_RULE}` })
  message?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DAW_LENGTH, example: 'Ableton Live 12', description: 'Absent or null: no DAW' })
  @IsGivenText()
  @ValidateBy({ name: 'isDawName', validator: { validate: isDawName } }, { message: `daw ${DAW_RULE}` })
  daw?: string | null;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When the user made the change, by the client\'s clock (default: when Herald receives it). Changes apply in this order: a late or retried request never overwrites a newer change. At most 60 s ahead of Herald\'s clock.',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'changedAt must be an ISO-8601 time' })
  changedAt?: string;
}

/** `GET /api/v1/presence/users?ids=a,b,c` */
export class PresenceUsersQuery {
  @ApiProperty({ type: String, example: '80351110224678912,80351110224678913', description: `Comma-separated user ids, 1 to ${MAX_IDS_PER_QUERY}` })
  @Transform(({ value }) => (typeof value === 'string' || Array.isArray(value) ? String(value).split(',').map((id) => id.trim()) : value))
  @ArrayMinSize(1, { message: 'ids must name at least one user' })
  @ArrayMaxSize(MAX_IDS_PER_QUERY, { message: `ids must name at most ${MAX_IDS_PER_QUERY} users` })
  @Matches(USER_ID_PATTERN, { each: true, message: `each id in ids ${USER_ID_RULE}` })
  ids: string[];
}

/** `GET /api/v1/users/{userId}/followers` */
export class FollowersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_FOLLOWERS_PAGE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_RULE })
  @Min(1, { message: LIMIT_RULE })
  @Max(MAX_FOLLOWERS_PAGE, { message: LIMIT_RULE })
  limit = 100;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  cursor?: string;
}

/** `PATCH /api/v1/me/privacy`: at least one field. */
export class ChangePrivacyBody {
  @ApiPropertyOptional({ description: 'False: everyone but you sees you offline, and nothing of yours is broadcast' })
  @IsOptional()
  @IsBoolean()
  showActivityStatus?: boolean;

  @ApiPropertyOptional({ description: 'False: nobody but you sees when you were last active' })
  @IsOptional()
  @IsBoolean()
  showLastActive?: boolean;
}
