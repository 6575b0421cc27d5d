import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { PRESENCE_STATUSES, type PresenceStatus } from '../domain/presence';

/** A user's presence as the caller may see it (privacy applied). */
export class PresenceResponse {
  @ApiProperty({ enum: PRESENCE_STATUSES, description: 'A user who hides their activity status shows offline to everyone else' })
  status: PresenceStatus;

  @ApiProperty({ type: String, nullable: true, example: 'tracking vocals' })
  message: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Ableton Live 12' })
  daw: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null when the user hides it (or their activity status), or was never active' })
  lastActiveAt: string | null;
}

export class UserPresenceResponse extends PresenceResponse {
  @ApiProperty({ example: '80351110224678912' })
  userId: string;
}

export class PresenceUsersResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(PresenceResponse) },
    description: 'By user id; a user Herald never heard of is offline',
  })
  users: Record<string, PresenceResponse>;
}

export class FollowingResponse {
  @ApiProperty({ type: [UserPresenceResponse], description: 'In the studio first, then online, away, dnd, offline; by user id within each' })
  users: UserPresenceResponse[];
}

export class FollowerResponse {
  @ApiProperty({ example: '80351110224678913' })
  userId: string;

  @ApiProperty({ format: 'date-time', description: 'When they started following' })
  since: string;
}

export class FollowersResponse {
  @ApiProperty({ type: [FollowerResponse] })
  items: FollowerResponse[];

  @ApiPropertyOptional({ description: 'Present when more followers follow: pass it as `cursor`' })
  nextCursor?: string;
}

export class PrivacyResponse {
  @ApiProperty()
  showActivityStatus: boolean;

  @ApiProperty()
  showLastActive: boolean;
}
