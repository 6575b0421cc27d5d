import { ApiProperty } from '@nestjs/swagger';
import type { UpdaterStatus } from '../domain/system.decider';

export class FrontingSettingsResponse {
  @ApiProperty()
  simplyPluralTokenSet: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'x9Qa', description: 'The last four characters of the token, never more' })
  simplyPluralTokenLastFour: string | null;

  @ApiProperty()
  pluralKitTokenSet: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'Tz4+', description: 'The last four characters of the token, never more' })
  pluralKitTokenLastFour: string | null;

  @ApiProperty()
  enableToPluralKit: boolean;
}

export class UpdaterStatusResponse {
  @ApiProperty({ enum: ['disabled', 'starting', 'running', 'error'] })
  status: UpdaterStatus;

  @ApiProperty({ type: String, nullable: true, example: 'PluralKit rejected the token' })
  lastOperationError: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: "PluralKit's time of the last switch Herald posted" })
  lastSwitchAt: string | null;
}

export class UpdatersResponse {
  @ApiProperty({ type: UpdaterStatusResponse })
  pluralkit: UpdaterStatusResponse;
}
