import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes } from '../auth/auth.decorators';
import { type AuthenticatedRequest, Caller, restCommandContext } from '../auth/caller';
import { TokenService } from '../commands/token.service';
import { ApiTokensReadModel } from '../projections/api-tokens.read-model';
import { ApiTokenListResponse, IssuedTokenResponse, MeResponse } from './identity.responses';
import { IssueTokenBody } from './issue-token.dto';
import { UserIdParams, UserTokenParams } from './params.dto';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('api/v1')
export class IdentityController {
  constructor(
    private readonly tokenService: TokenService,
    private readonly tokens: ApiTokensReadModel,
  ) {}

  @ApiOperation({ summary: 'Who the bearer token belongs to, and its scopes' })
  @ApiOkResponse({ type: MeResponse })
  @Get('me')
  me(@Caller() caller: Caller): MeResponse {
    return { userId: caller.userId ?? null, scopes: caller.scopes };
  }

  @ApiOperation({ summary: 'Issues an API token for the user; the token is in this answer only' })
  @ApiCreatedResponse({ type: IssuedTokenResponse })
  @RequireScopes('user:{userId}')
  @Post('users/:userId/tokens')
  @Header('Cache-Control', 'no-store')
  issue(
    @Param() { userId }: UserIdParams,
    @Body() body: IssueTokenBody,
    @Caller() caller: Caller,
    @Req() request: AuthenticatedRequest,
  ): Promise<IssuedTokenResponse> {
    return this.tokenService.issue({
      userId,
      scopes: body.scopes,
      label: body.label,
      expiresAt: body.expiresAt === undefined ? undefined : new Date(body.expiresAt),
      issuerScopes: caller.scopes,
      context: restCommandContext(request, caller),
    });
  }

  @ApiOperation({ summary: "A user's API tokens (never the tokens themselves)" })
  @ApiOkResponse({ type: ApiTokenListResponse })
  @RequireScopes('user:{userId}')
  @Get('users/:userId/tokens')
  async list(@Param() { userId }: UserIdParams): Promise<ApiTokenListResponse> {
    return { items: await this.tokens.listForUser(userId) };
  }

  @ApiOperation({ summary: 'Revokes one of the user’s API tokens' })
  @ApiNoContentResponse()
  @RequireScopes('user:{userId}')
  @Delete('users/:userId/tokens/:tokenId')
  @HttpCode(204)
  async revoke(
    @Param() { userId, tokenId }: UserTokenParams,
    @Caller() caller: Caller,
    @Req() request: AuthenticatedRequest,
  ): Promise<void> {
    await this.tokenService.revoke({ userId, tokenId, context: restCommandContext(request, caller) });
  }
}
