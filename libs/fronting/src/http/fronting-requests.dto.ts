import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, ValidateBy, ValidateIf } from 'class-validator';
import { isPluralKitToken, isSimplyPluralToken, PLURALKIT_TOKEN_RULE, SIMPLYPLURAL_TOKEN_RULE } from '../domain/tokens';

/** A token field: `null` removes the token, absent keeps it, anything else must have the token's shape. */
const IsTokenOrNull = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** `PATCH /api/v1/me/fronting`: at least one field. */
export class ChangeFrontingSettingsBody {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    writeOnly: true,
    description: 'A SimplyPlural API token with read permission; `null` removes it. Stored sealed; answers show only its last four characters.',
  })
  @IsTokenOrNull()
  @ValidateBy({ name: 'isSimplyPluralToken', validator: { validate: isSimplyPluralToken } }, { message: `simplyPluralToken ${SIMPLYPLURAL_TOKEN_RULE}` })
  simplyPluralToken?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    writeOnly: true,
    description: 'A PluralKit token (`pk;token`) or API key; `null` removes it. Stored sealed; answers show only its last four characters.',
  })
  @IsTokenOrNull()
  @ValidateBy({ name: 'isPluralKitToken', validator: { validate: isPluralKitToken } }, { message: `pluralKitToken ${PLURALKIT_TOKEN_RULE}` })
  pluralKitToken?: string | null;

  @ApiPropertyOptional({ description: 'Post a PluralKit switch whenever the SimplyPlural fronters change; needs both tokens.' })
  @ValidateIf((_object, value) => value !== undefined)
  @IsBoolean()
  enableToPluralKit?: boolean;
}
