import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { RequireScopes } from '@herald/identity';
import { BackgroundRebuilds, type ProjectionState } from '@herald/projections';

class ProjectionParams {
  @ApiProperty({ example: 'wins', pattern: '^[a-z0-9-]{1,64}$' })
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'name must be 1-64 lower-case letters, digits or -' })
  name: string;
}

class RebuildRunResponse {
  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ description: 'Events replayed so far' })
  processed: number;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;

  @ApiPropertyOptional({ description: 'Why the rebuild stopped, when it failed' })
  error?: string;
}

class ProjectionResponse {
  @ApiProperty({ example: 'wins' })
  name: string;

  @ApiProperty({ enum: ['starting', 'running', 'failed', 'paused', 'stopped'], description: 'paused: a rebuild holds it' })
  state: ProjectionState;

  @ApiProperty({ type: Number, nullable: true, description: 'Last global position applied' })
  position: number | null;

  @ApiProperty({ description: 'Events it has yet to apply, counted up to 10,000' })
  lag: number;

  @ApiPropertyOptional({ type: RebuildRunResponse, description: 'The last rebuild started from the API, while this server runs' })
  rebuild?: RebuildRunResponse;
}

class ProjectionListResponse {
  @ApiProperty({ type: [ProjectionResponse] })
  items: ProjectionResponse[];
}

class RebuildStartedResponse {
  @ApiProperty({ example: 'wins' })
  name: string;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;
}

/** The read models as the operator sees them (what `herald-cli projections status|rebuild` does, over REST). */
@ApiTags('operator')
@ApiBearerAuth()
@RequireScopes('operator')
@Controller('api/v1/admin/projections')
export class ProjectionsController {
  constructor(private readonly rebuilds: BackgroundRebuilds) {}

  @ApiOperation({ summary: 'Every projection: state, checkpoint, lag, and its last rebuild' })
  @ApiOkResponse({ type: ProjectionListResponse })
  @Get()
  @Header('Cache-Control', 'no-store')
  async list(): Promise<ProjectionListResponse> {
    const items = await this.rebuilds.overview();
    return { items: items.map(({ name, state, position, lag, rebuild }) => ({ name, state, position, lag, ...(rebuild ? { rebuild } : {}) })) };
  }

  @ApiOperation({ summary: 'Drops the read models of the projection and replays the log into them, in the background (409 while one runs)' })
  @ApiAcceptedResponse({ type: RebuildStartedResponse })
  @Post(':name/rebuild')
  @HttpCode(202)
  async rebuild(@Param() { name }: ProjectionParams): Promise<RebuildStartedResponse> {
    const { startedAt } = await this.rebuilds.start(name);
    return { name, startedAt };
  }
}
