import { ApiProperty } from '@nestjs/swagger';

export class MeResponse {
  @ApiProperty({ type: String, nullable: true, description: 'null for the operator token' })
  userId: string | null;

  @ApiProperty({ type: [String], example: ['user:80351110224678912'] })
  scopes: string[];
}

export class IssuedTokenResponse {
  @ApiProperty({ format: 'uuid' })
  tokenId: string;

  @ApiProperty({ example: 'hrld_…', description: 'Shown this once: Herald keeps only its SHA-256 hash.' })
  token: string;
}

export class ApiTokenResponse {
  @ApiProperty({ format: 'uuid' })
  tokenId: string;

  @ApiProperty()
  userId: string;

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty({ type: String, nullable: true })
  label: string | null;

  @ApiProperty()
  revoked: boolean;

  @ApiProperty({ format: 'date-time' })
  issuedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;
}

export class ApiTokenListResponse {
  @ApiProperty({ type: [ApiTokenResponse] })
  items: ApiTokenResponse[];
}
