import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class OperatorSignInBody {
  @ApiProperty({ description: 'HERALD_ADMIN_TOKEN; never echoed or stored' })
  @IsString()
  @Length(1, 1024)
  token: string;
}

export class AdminGuildResponse {
  @ApiProperty({ example: '613425648685547541' })
  guildId: string;

  @ApiProperty({ example: 'The Lounge' })
  name: string;
}

export class SessionResponse {
  @ApiProperty({ example: '80351110224678912', description: '`operator` for operator sessions' })
  userId: string;

  @ApiProperty({ example: 'Nelly', description: "Discord's global name (or username); `Operator` for operator sessions" })
  displayName: string;

  @ApiProperty()
  operator: boolean;

  @ApiProperty({ type: [String], example: ['user:80351110224678912', 'guild:613425648685547541:admin'] })
  scopes: string[];

  @ApiProperty({ type: [AdminGuildResponse], description: 'Guilds administered on Discord and registered with Herald, as of sign-in' })
  adminGuilds: AdminGuildResponse[];

  @ApiProperty({ description: 'Send it as `X-CSRF-Token` on every write made with the session cookie' })
  csrfToken: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;
}
