import type { ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe, type FieldError, InvalidInput } from '@herald/core';
import { UserIdParams } from '@herald/identity';
import { OperatorSignInBody } from '../../../libs/identity/src/http/sign-in.dto';
import { AuditQueryDto } from '../../../libs/audit/src/http/audit-query.dto';
import { initialSystemState, systemDecider } from '../../../libs/fronting/src/domain/system.decider';
import { ChangeFrontingSettingsBody } from '../../../libs/fronting/src/http/fronting-requests.dto';
import { settingsChange } from '../../../libs/imports/src/commands/configure-plugin.command';
import { SetPresenceBody } from '../../../libs/presence/src/http/presence-requests.dto';
import { GuildRoleParams, ThresholdParams } from '../../../libs/wins/src/http/wins-params.dto';
import { AddClanTagBody, ChangeSettingsBody } from '../../../libs/wins/src/http/wins-requests.dto';
import {
  auditFilterErrors,
  clanTagErrors,
  type FieldErrors,
  frontingErrors,
  guildSettingsErrors,
  operatorTokenErrors,
  parseWholeNumber,
  pluginSettingErrors,
  presenceErrors,
  snowflakeErrors,
  thresholdErrors,
  userIdErrors,
} from '../src/validation';
import { untilParam } from '../src/audit';

/** The API's own verdict on an input: its field errors as the console receives them (none when valid). */
async function apiErrors(metatype: new () => object, type: ArgumentMetadata['type'], value: object): Promise<FieldErrors> {
  try {
    await createValidationPipe().transform(value, { type, metatype });
    return {};
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error;
    return byField(error.errors ?? []);
  }
}

function byField(errors: FieldError[]): FieldErrors {
  return Object.fromEntries(errors.map(({ field, messages }) => [field, messages]));
}

const stars = (count: number) => '★'.repeat(count);
const TOKEN_64 = 'A'.repeat(63) + '/';

describe('the console checks input as the API does, with the same messages', () => {
  it.each([
    { status: 'in_studio', message: 'tracking vocals', daw: 'Ableton Live 12' },
    { status: 'busy', message: null, daw: null },
    { status: 'online', message: stars(255), daw: stars(64) },
    { status: 'online', message: stars(256), daw: stars(65) },
  ])('presence %o', async (input) => {
    expect(presenceErrors(input)).toEqual(await apiErrors(SetPresenceBody, 'body', input));
  });

  it.each(['', 'operator-token-0123456789', 'x'.repeat(1025)])('operator token of %#', async (token) => {
    expect(operatorTokenErrors(token)).toEqual(await apiErrors(OperatorSignInBody, 'body', { token }));
  });

  it.each(['80351110224678912', 'user_name-1', 'al ice', '', 'x'.repeat(65)])('user id %p', async (userId) => {
    expect(userIdErrors(userId)).toEqual(await apiErrors(UserIdParams, 'param', { userId }));
  });

  it.each([
    { simplyPluralToken: TOKEN_64, pluralKitToken: 'pkapi:eyJhIjoxfQ==:c2lnbmF0dXJl' },
    { simplyPluralToken: 'too-short', pluralKitToken: 'pk;token' },
    { simplyPluralToken: TOKEN_64, pluralKitToken: TOKEN_64 },
  ])('fronting tokens %#', async (tokens) => {
    const console = frontingErrors({ ...tokens, enableToPluralKit: false, simplyPluralTokenSet: false, pluralKitTokenSet: false });
    const shapeErrors = await apiErrors(ChangeFrontingSettingsBody, 'body', tokens);
    const sameToken = tokens.pluralKitToken === tokens.simplyPluralToken;
    // The DTO checks shapes; the decider refuses one token given for both (frontingTokenInputErrors).
    expect(console).toEqual(
      sameToken ? { pluralKitToken: ['pluralKitToken must differ from simplyPluralToken: the same token was given for both'] } : shapeErrors,
    );
  });

  it('turning the PluralKit updater on without tokens', () => {
    const decide = () => systemDecider.decide({ type: 'ChangeFrontingSettings', enableToPluralKit: true }, initialSystemState());
    let apiMessages: FieldErrors = {};
    try {
      decide();
    } catch (error) {
      apiMessages = byField((error as InvalidInput).errors ?? []);
    }
    const console = frontingErrors({
      simplyPluralToken: null,
      pluralKitToken: null,
      enableToPluralKit: true,
      simplyPluralTokenSet: false,
      pluralKitTokenSet: false,
    });
    expect(console).toEqual(apiMessages);
    expect(console.enableToPluralKit).toHaveLength(1);
  });

  it.each([
    { countingMode: 'total', syncIntervalHours: '6' },
    { countingMode: 'everything', syncIntervalHours: '0' },
    { countingMode: 'sessions_with_clan', syncIntervalHours: '25' },
    { countingMode: 'sessions_since_link', syncIntervalHours: '2.5' },
  ])('guild settings %o', async ({ countingMode, syncIntervalHours }) => {
    const typed = parseWholeNumber(syncIntervalHours);
    const sent = { countingMode, syncIntervalHours: typed ?? Number(syncIntervalHours) };
    expect(guildSettingsErrors({ countingMode, syncIntervalHours: typed })).toEqual(await apiErrors(ChangeSettingsBody, 'body', sent));
  });

  it.each([
    { wins: '10', roleId: '613425648685547600' },
    { wins: '1000001', roleId: '1234' },
    { wins: '-1', roleId: '613425648685547600' },
  ])('role threshold %o', async ({ wins, roleId }) => {
    const apiVerdict = {
      ...(await apiErrors(ThresholdParams, 'param', { guildId: '613425648685547541', wins })),
      ...(await apiErrors(GuildRoleParams, 'param', { guildId: '613425648685547541', roleId })),
    };
    expect(thresholdErrors({ wins: parseWholeNumber(wins), roleId })).toEqual(apiVerdict);
    expect(snowflakeErrors(roleId, 'roleId')).toEqual(await apiErrors(GuildRoleParams, 'param', { guildId: '613425648685547541', roleId }));
  });

  it.each(['abc', 'ABCDE', ' xy ', 'a', 'abcdef', 'a-b'])('clan tag %p', async (tag) => {
    expect(clanTagErrors(tag)).toEqual(await apiErrors(AddClanTagBody, 'body', { tag }));
  });

  it.each([['WinsSynced'], ['WinsSynced', 'PlayerLinked'], ['winsSynced'], ['Bad-Type']])('audit types %p', async (...types) => {
    const console = auditFilterErrors({ types, member: '' });
    expect(console).toEqual(await apiErrors(AuditQueryDto, 'query', { type: types.join(',') }));
  });

  it('sends an audit "up to" time the API accepts, and refuses one it cannot read before asking', async () => {
    const until = untilParam('2025-03-01T12:30');
    expect(until).toBeDefined();
    expect(auditFilterErrors({ types: [], member: '', until: '2025-03-01T12:30' })).toEqual({});
    expect(await apiErrors(AuditQueryDto, 'query', { until })).toEqual({});
    expect(auditFilterErrors({ types: [], member: '', until: 'yesterday' })).toEqual({ until: ['until must be a date and time'] });
  });

  it.each<Record<string, string>>([{ clientId: '23ABCD' }, { clientId: ' padded' }, { clientId: 'x'.repeat(1025) }, { clientSecret: 'tab\tinside' }])(
    'plugin settings %#',
    (values) => {
      const fields = ['clientId', 'clientSecret'].map((id) => ({ id, label: id, description: '', secret: true, required: true, env: 'X' }));
      let apiVerdict: FieldErrors = {};
      try {
        settingsChange(fields, values);
      } catch (error) {
        apiVerdict = byField((error as InvalidInput).errors ?? []);
      }
      expect(pluginSettingErrors(values)).toEqual(apiVerdict);
    },
  );
});

describe('whole numbers typed in a form', () => {
  it.each([
    ['12', 12],
    [' 7 ', 7],
    ['0', 0],
    ['', null],
    ['2.5', null],
    ['1e3', null],
    ['-1', null],
    [12, 12],
    [2.5, null],
  ])('%p reads as %p', (typed, expected) => {
    expect(parseWholeNumber(typed)).toBe(expected);
  });
});
