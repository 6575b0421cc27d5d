import { Module } from '@nestjs/common';
import { CoreModule } from '@herald/core';
import { AuthGuard } from './auth/auth.guard';
import { TokenService } from './commands/token.service';
import { IdentityController } from './http/identity.controller';
import { ApiTokensProjection } from './projections/api-tokens.projection';
import { ApiTokensReadModel } from './projections/api-tokens.read-model';

/**
 * Users' API tokens and REST auth. Needs `EVENT_STORE`, `READ_STORE` and `HERALD_CONFIG` from the
 * application; the application registers the exported `AuthGuard` as `APP_GUARD`.
 */
@Module({
  imports: [CoreModule],
  controllers: [IdentityController],
  providers: [TokenService, ApiTokensProjection, ApiTokensReadModel, AuthGuard],
  exports: [TokenService, ApiTokensReadModel, ApiTokensProjection, AuthGuard],
})
export class IdentityModule {}
