import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GuildIdParams, RequireScopes, UserIdParams } from '@herald/identity';
import { AuditService, type AuditPage, type GuildStateAt } from '../audit.service';
import { AuditQueryDto, GuildStateQueryDto } from './audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ApiOperation({ summary: "A guild's history, newest first, read from the event log" })
  @RequireScopes('audit:{guildId}', 'guild:{guildId}:admin')
  @Get('guilds/:guildId/audit')
  guildAudit(@Param() { guildId }: GuildIdParams, @Query() query: AuditQueryDto): Promise<AuditPage> {
    return this.audit.guildAudit(guildId, query.toAuditQuery());
  }

  @ApiOperation({ summary: "A user's history, newest first, read from the event log" })
  @RequireScopes('user:{userId}')
  @Get('users/:userId/audit')
  userAudit(@Param() { userId }: UserIdParams, @Query() query: AuditQueryDto): Promise<AuditPage> {
    return this.audit.userAudit(userId, query.toAuditQuery());
  }

  @ApiOperation({ summary: 'The guild as it was at a moment, replayed from its streams' })
  @RequireScopes('audit:{guildId}', 'guild:{guildId}:admin')
  @Get('guilds/:guildId/state')
  guildState(@Param() { guildId }: GuildIdParams, @Query() query: GuildStateQueryDto): Promise<GuildStateAt> {
    return this.audit.guildStateAt(guildId, query.at === undefined ? new Date() : new Date(query.at));
  }
}
