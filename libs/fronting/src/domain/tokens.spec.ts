import { randomBytes } from 'node:crypto';
import {
  frontingTokenInputErrors,
  isPluralKitToken,
  isSimplyPluralToken,
  lastFour,
  pluralKitAuthorization,
} from './tokens';

// Generated the way each service generates its tokens.
const SIMPLYPLURAL_TOKEN = randomBytes(48).toString('base64');
const PLURALKIT_LEGACY_TOKEN = 'LvWacQm3Yu+Jbhl8B7LR97Q4kfpAasTiB8/BY5/HJCppHFggzwOai6QBxehAJ53C';
const PLURALKIT_API_KEY =
  'pkapi:eyJ0aWQiOiI3NWEzODZlNy1mMjNlLTRmM2EtYjkwNC1jYTgwMzE0OWFmNWEiLCJzaWQiOiIyMmIwYjA3Yi00ZmE3LTRmYTEtYmYyNS1lZWI4NjY1ZjMyYzEiLCJ0eXBlIjoidXNlcl9jcmVhdGVkIiwic2NvcGVzIjpbIndyaXRlOmFsbCJdfQ==:nUjJPPtBOyPb1bYFhm24bU87N2Fb_oSaNnHEZkB-6ZSCSlAJvkyb32MTfmdEv3U6wNBlBQtQb0Fkv2nSvbNsCw';

describe('token shapes', () => {
  it.each([
    { token: SIMPLYPLURAL_TOKEN, simplyPlural: true, pluralKit: true },
    { token: PLURALKIT_LEGACY_TOKEN, simplyPlural: true, pluralKit: true },
    { token: PLURALKIT_API_KEY, simplyPlural: false, pluralKit: true },
    { token: SIMPLYPLURAL_TOKEN.slice(0, 63), simplyPlural: false, pluralKit: false },
    { token: `${SIMPLYPLURAL_TOKEN}A`, simplyPlural: false, pluralKit: false },
    { token: ` ${SIMPLYPLURAL_TOKEN.slice(1)}`, simplyPlural: false, pluralKit: false },
    { token: `${PLURALKIT_LEGACY_TOKEN.slice(0, 60)}-_==`, simplyPlural: false, pluralKit: false },
    { token: `Bearer ${PLURALKIT_API_KEY}`, simplyPlural: false, pluralKit: false },
    { token: 'pkapi:only-one-part', simplyPlural: false, pluralKit: false },
    { token: '', simplyPlural: false, pluralKit: false },
    { token: 42, simplyPlural: false, pluralKit: false },
    { token: null, simplyPlural: false, pluralKit: false },
  ])('$token is a SimplyPlural token: $simplyPlural, a PluralKit token: $pluralKit', ({ token, simplyPlural, pluralKit }) => {
    expect(isSimplyPluralToken(token)).toBe(simplyPlural);
    expect(isPluralKitToken(token)).toBe(pluralKit);
  });
});

describe('pluralKitAuthorization', () => {
  it('sends a legacy token as it is', () => {
    expect(pluralKitAuthorization(PLURALKIT_LEGACY_TOKEN)).toBe(PLURALKIT_LEGACY_TOKEN);
  });

  it('sends an API key with the Bearer prefix PluralKit asks for', () => {
    expect(pluralKitAuthorization(PLURALKIT_API_KEY)).toBe(`Bearer ${PLURALKIT_API_KEY}`);
  });
});

describe('lastFour', () => {
  it('shows only the last four characters', () => {
    expect(lastFour(PLURALKIT_LEGACY_TOKEN)).toBe('J53C');
  });
});

describe('frontingTokenInputErrors', () => {
  const fieldsOf = (input: Parameters<typeof frontingTokenInputErrors>[0]) =>
    frontingTokenInputErrors(input).map((error) => error.field);

  it.each([
    { input: {}, fields: [] },
    { input: { simplyPluralToken: null, pluralKitToken: null }, fields: [] },
    { input: { simplyPluralToken: SIMPLYPLURAL_TOKEN, pluralKitToken: PLURALKIT_API_KEY }, fields: [] },
    { input: { simplyPluralToken: 'short' }, fields: ['simplyPluralToken'] },
    { input: { pluralKitToken: 'short' }, fields: ['pluralKitToken'] },
    { input: { simplyPluralToken: 7, pluralKitToken: ['x'] }, fields: ['simplyPluralToken', 'pluralKitToken'] },
    { input: { simplyPluralToken: SIMPLYPLURAL_TOKEN, pluralKitToken: SIMPLYPLURAL_TOKEN }, fields: ['pluralKitToken'] },
  ])('names the fields $fields for $input', ({ input, fields }) => {
    expect(fieldsOf(input)).toEqual(fields);
  });

  it('never repeats a submitted value in its messages', () => {
    const almostToken = SIMPLYPLURAL_TOKEN.slice(0, 60);
    const messages = frontingTokenInputErrors({ simplyPluralToken: almostToken, pluralKitToken: almostToken }).flatMap(
      (error) => error.messages,
    );
    expect(messages.length).toBe(2);
    for (const message of messages) expect(message).not.toContain(almostToken.slice(-8));
  });
});
