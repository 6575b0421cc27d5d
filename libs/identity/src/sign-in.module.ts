import { Module } from '@nestjs/common';
import { CoreModule } from '@herald/core';
import { HttpClientModule } from '@herald/http-client';
import { DiscordOAuthClient } from './clients/discord-oauth.client';
import { WebSessions } from './commands/web-sessions';
import { SignInController } from './http/sign-in.controller';
import { IdentityModule } from './identity.module';
import { RegisteredGuildsProjection, RegisteredGuildsReadModel } from './projections/registered-guilds.projection';

/**
 * The web console's sessions: sign-in with Discord or the operator token, `/auth/session`,
 * sign-out. Needs `HERALD_CONFIG`, the stores, `HeraldMetrics` and the `ProjectionRunner` from the
 * application; the cookie itself is checked by identity's `AuthGuard`.
 */
@Module({
  imports: [CoreModule, HttpClientModule, IdentityModule],
  controllers: [SignInController],
  providers: [WebSessions, DiscordOAuthClient, RegisteredGuildsProjection, RegisteredGuildsReadModel],
})
export class SignInModule {}
