import { Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from './clock';
import { CommandRunner } from './command-runner';

/**
 * The clock and the command runner, global so every feature module injects them. The runner
 * needs `EVENT_STORE`, which the application provides globally.
 */
@Global()
@Module({
  providers: [{ provide: CLOCK, useValue: systemClock }, CommandRunner],
  exports: [CLOCK, CommandRunner],
})
export class CoreModule {}
