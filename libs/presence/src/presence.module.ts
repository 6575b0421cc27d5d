import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CoreModule } from '@herald/core';
import { HttpClientModule } from '@herald/http-client';
import { IdentityModule } from '@herald/identity';
import { GetStreamClient } from './clients/getstream.client';
import { ChangePresencePrivacyHandler } from './commands/change-privacy.command';
import { FollowUserHandler } from './commands/follow-user.command';
import { PresenceStates } from './commands/presence-states';
import { RecordHeartbeatHandler } from './commands/record-heartbeat.command';
import { SetPresenceHandler } from './commands/set-presence.command';
import { UnfollowUserHandler } from './commands/unfollow-user.command';
import { PresenceCommands } from './discord/presence.commands';
import { FollowsController } from './http/follows.controller';
import { PresenceController } from './http/presence.controller';
import { PresenceSocketServer } from './http/presence-socket.server';
import { PrivacyController } from './http/privacy.controller';
import { SocketAuthenticator } from './http/socket-authenticator';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence-options';
import { PresenceProjection } from './projections/presence.projection';
import { PresenceReadModel } from './projections/presence.read-model';
import { GetStreamMirror } from './reactors/getstream-mirror';
import { LivenessMonitor } from './reactors/liveness-monitor';
import { PresenceBroadcaster } from './reactors/presence-broadcaster';
import { PresenceFeed } from './reactors/presence-feed';
import { PresenceLeases } from './reactors/presence-leases';

const commandHandlers = [SetPresenceHandler, RecordHeartbeatHandler, FollowUserHandler, UnfollowUserHandler, ChangePresencePrivacyHandler];
const reactors = [PresenceLeases, LivenessMonitor, PresenceBroadcaster, PresenceFeed, GetStreamMirror];

/**
 * Presence: statuses, followers over a WebSocket, privacy, timeouts and the GetStream mirror.
 * Needs `EVENT_STORE`, `READ_STORE`, `HERALD_CONFIG`, `HeraldMetrics` and the `ProjectionRunner`
 * from the application; with `run`, the server runs the socket endpoint and the workers.
 */
@Module({})
export class PresenceModule {
  static forRoot(options: PresenceModuleOptions): DynamicModule {
    return {
      module: PresenceModule,
      imports: [CoreModule, CqrsModule, HttpClientModule, IdentityModule],
      controllers: [PresenceController, FollowsController, PrivacyController],
      providers: [
        ...commandHandlers,
        ...reactors,
        PresenceStates,
        PresenceReadModel,
        PresenceProjection,
        GetStreamClient,
        SocketAuthenticator,
        PresenceSocketServer,
        PresenceCommands,
        { provide: PRESENCE_OPTIONS, useValue: options },
      ],
      exports: [PresenceReadModel, PresenceStates],
    };
  }
}
