import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsISO8601, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { AuditQuery } from '../audit.service';

const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{1,63}$/;

export class AuditQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize = 20;

  @ApiPropertyOptional({ description: 'Event types, comma-separated (e.g. `PlayerLinked,WinsSynced`)' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((type) => type.trim()) : value))
  @ArrayMaxSize(20)
  @Matches(EVENT_TYPE, { each: true, message: 'type must list event names such as WinsSynced, comma-separated' })
  type?: string[];

  @ApiPropertyOptional({ description: 'Only events that occurred at or before this ISO-8601 time' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  until?: string;

  toAuditQuery(): AuditQuery {
    return { page: this.page, pageSize: this.pageSize, types: this.type, until: this.until };
  }
}

export class GuildStateQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601 time; default: now' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  at?: string;
}
