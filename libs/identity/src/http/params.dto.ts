import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { IsGuildId, IsUserId } from '../domain/ids';

/** Route parameters `:userId`. */
export class UserIdParams {
  @ApiProperty({ example: '80351110224678912', pattern: '^[A-Za-z0-9_-]{1,64}$' })
  @IsUserId()
  userId: string;
}

/** Route parameters `:guildId`. */
export class GuildIdParams {
  @ApiProperty({ example: '613425648685547541', pattern: '^\\d{1,20}$' })
  @IsGuildId()
  guildId: string;
}

/** Route parameters `:userId/tokens/:tokenId`. */
export class UserTokenParams extends UserIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  tokenId: string;
}
