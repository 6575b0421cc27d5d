import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CoreModule } from '@herald/core';
import { HttpClientModule } from '@herald/http-client';
import { PluralKitClient } from './clients/pluralkit.client';
import { SimplyPluralClient } from './clients/simplyplural.client';
import { ChangeFrontingSettingsHandler } from './commands/change-fronting-settings.command';
import { FrontingState } from './commands/fronting-state';
import { frontingDiscordProviders } from './discord';
import { FrontingController } from './http/fronting.controller';
import { FrontingProjection } from './projections/fronting.projection';
import { FrontingReadModel } from './projections/fronting.read-model';
import { FRONTING_OPTIONS, FrontingLogFollower, type FrontingModuleOptions } from './reactors/fronting-log-follower';
import { PluralKitSwitchPoster } from './reactors/pluralkit-switch-poster';
import { SimplyPluralWatchers } from './reactors/simplyplural-watchers';

/**
 * SimplyPlural fronters become PluralKit switches. Needs `EVENT_STORE`, `READ_STORE`,
 * `HERALD_CONFIG`, `HeraldMetrics` and `SECRET_BOX` from the application; with `run`, the server
 * watches SimplyPlural and posts switches.
 */
@Module({})
export class FrontingModule {
  static forRoot(options: FrontingModuleOptions): DynamicModule {
    return {
      module: FrontingModule,
      imports: [CoreModule, CqrsModule, HttpClientModule],
      controllers: [FrontingController],
      providers: [
        ...frontingDiscordProviders,
        ChangeFrontingSettingsHandler,
        FrontingState,
        FrontingReadModel,
        FrontingProjection,
        SimplyPluralClient,
        PluralKitClient,
        SimplyPluralWatchers,
        PluralKitSwitchPoster,
        FrontingLogFollower,
        { provide: FRONTING_OPTIONS, useValue: options },
      ],
      exports: [FrontingReadModel, FrontingState],
    };
  }
}
