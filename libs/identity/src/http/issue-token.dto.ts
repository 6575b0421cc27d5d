import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { MAX_LABEL_LENGTH } from '../domain/api-tokens.decider';
import { SCOPE_PATTERN, SCOPE_RULE } from '../domain/scopes';

export const MAX_SCOPES_PER_TOKEN = 20;

export class IssueTokenBody {
  @ApiPropertyOptional({
    type: [String],
    example: ['user:80351110224678912', 'audit:613425648685547541'],
    description: 'Default: `user:<userId>`. Never more than the caller holds.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES_PER_TOKEN)
  @IsString({ each: true })
  @Matches(SCOPE_PATTERN, { each: true, message: `each of scopes ${SCOPE_RULE}` })
  scopes?: string[];

  @ApiPropertyOptional({ maxLength: MAX_LABEL_LENGTH, example: 'laptop' })
  @IsOptional()
  @IsString()
  @Length(1, MAX_LABEL_LENGTH)
  label?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Default: never expires' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}
