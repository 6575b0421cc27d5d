import customFronts from '../../../../test/fixtures/simplyplural/custom_fronts.json';
import fixtureFronters from '../../../../test/fixtures/simplyplural/fronters.json';
import members from '../../../../test/fixtures/simplyplural/members.json';
import type { ObservedFronter } from './events';
import {
  fronterSetFromSimplyPlural,
  normalizePluralKitId,
  sameFronters,
  sameFronterSet,
  type SimplyPluralDocument,
  type SimplyPluralFrontEntry,
  type SimplyPluralMember,
  wantedPluralKitIds,
} from './fronter-set';

const ALICE = '6650aa00000000000000a001';
const BOB = '6650aa00000000000000a002';
const CLAIRE = '6650aa00000000000000a003';
const DANA = '6650aa00000000000000a004';
const ELI = '6650aa00000000000000a005';
const BLURRY = '6650cf00000000000000c001';

const entry = (member: string, custom = false, live = true): SimplyPluralDocument<SimplyPluralFrontEntry> => ({
  exists: true,
  id: `fh-${member}-${String(live)}`,
  content: { member, custom, live },
});

const fronting = (...entries: SimplyPluralDocument<SimplyPluralFrontEntry>[]) =>
  fronterSetFromSimplyPlural(entries, members, customFronts);

const withMember = (id: string, change: Partial<SimplyPluralMember>) =>
  members.map((member) => (member.id === id ? { ...member, content: { ...member.content, ...change } } : member));

describe('fronterSetFromSimplyPlural', () => {
  it('maps the fixture fronters in SimplyPlural order, keeping PluralKit ids of linked members only', () => {
    expect(fronterSetFromSimplyPlural(fixtureFronters, members, customFronts)).toEqual<ObservedFronter[]>([
      { id: ALICE, name: 'Alice', kind: 'member', pluralKitId: 'abcde' },
      { id: CLAIRE, name: 'Claire', kind: 'member', pluralKitId: null },
      { id: BLURRY, name: 'Blurry', kind: 'custom_front', pluralKitId: null },
      { id: BOB, name: 'Bob', kind: 'member', pluralKitId: 'fghijk' },
      { id: DANA, name: 'Dana', kind: 'member', pluralKitId: null },
    ]);
  });

  it('wants exactly ["abcde", "fghijk"] from PluralKit for the fixtures', () => {
    expect(wantedPluralKitIds(fronterSetFromSimplyPlural(fixtureFronters, members, customFronts))).toEqual([
      'abcde',
      'fghijk',
    ]);
  });

  it('keeps SimplyPlural order rather than sorting', () => {
    expect(fronting(entry(BOB), entry(ALICE)).map((fronter) => fronter.name)).toEqual(['Bob', 'Alice']);
  });

  it('never gives an archived member a PluralKit id, even when linked', () => {
    expect(fronting(entry(ELI))).toEqual([{ id: ELI, name: 'Eli', kind: 'member', pluralKitId: null }]);
  });

  it('never gives a custom front a PluralKit id, even if its document carried a pkId', () => {
    const linkedLookingFront = [{ id: BLURRY, content: { name: 'Blurry', pkId: 'abcde' } }];
    expect(fronterSetFromSimplyPlural([entry(BLURRY, true)], members, linkedLookingFront)).toEqual([
      { id: BLURRY, name: 'Blurry', kind: 'custom_front', pluralKitId: null },
    ]);
  });

  it('looks a custom entry up among custom fronts only, even when a member has the same id', () => {
    const memberWithFrontId = [...members, { id: BLURRY, content: { name: 'Impostor', pkId: 'zzzzz' } }];
    expect(fronterSetFromSimplyPlural([entry(BLURRY, true)], memberWithFrontId, customFronts)).toEqual([
      { id: BLURRY, name: 'Blurry', kind: 'custom_front', pluralKitId: null },
    ]);
  });

  it('leaves out entries that are no longer live and entries whose member is unknown', () => {
    expect(fronting(entry(ALICE, false, false), entry('gone-member'), entry('gone-front', true), entry(BOB))).toEqual([
      { id: BOB, name: 'Bob', kind: 'member', pluralKitId: 'fghijk' },
    ]);
  });

  it('lists a fronter once when SimplyPlural repeats an entry', () => {
    expect(fronting(entry(ALICE), { ...entry(ALICE), id: 'other-entry' }).map((fronter) => fronter.id)).toEqual([ALICE]);
  });

  it('answers an empty set when nobody fronts', () => {
    expect(fronting()).toEqual([]);
  });

  it.each([
    { pkId: 'ABC-DEF', sent: 'abcdef' },
    { pkId: ' fghijk ', sent: 'fghijk' },
    { pkId: '', sent: null },
    { pkId: '   ', sent: null },
    { pkId: null, sent: null },
  ])('reads the pkId $pkId as $sent', ({ pkId, sent }) => {
    const linked = fronterSetFromSimplyPlural([entry(ALICE)], withMember(ALICE, { pkId }), customFronts);
    expect(linked[0].pluralKitId).toBe(sent);
  });
});

describe('normalizePluralKitId', () => {
  it.each([
    ['abcde', 'abcde'],
    ['fghijk', 'fghijk'],
    ['ABCDE', 'abcde'],
    ['abc-def', 'abcdef'],
    ['ABC DEF', 'abcdef'],
    ['3F6C2A9E-8B1D-4E5F-9A27-1C0D4B8E6F01', '3f6c2a9e-8b1d-4e5f-9a27-1c0d4b8e6f01'],
    ['not a pk id!', 'not a pk id!'],
    ['abcd', 'abcd'],
    ['', null],
    [undefined, null],
    [42, null],
  ])('normalizes %p to %p', (pkId, sent) => {
    expect(normalizePluralKitId(pkId)).toBe(sent);
  });
});

describe('wantedPluralKitIds', () => {
  const fronter = (id: string, pluralKitId: string | null): ObservedFronter => ({
    id,
    name: id,
    kind: 'member',
    pluralKitId,
  });

  it.each([
    { fronters: [], wanted: [] },
    { fronters: [fronter('a', null), fronter('b', null)], wanted: [] },
    { fronters: [fronter('b', 'fghijk'), fronter('a', 'abcde')], wanted: ['fghijk', 'abcde'] },
    { fronters: [fronter('a', 'abcde'), fronter('c', null), fronter('b', 'abcde')], wanted: ['abcde'] },
  ])('wants $wanted from $fronters', ({ fronters, wanted }) => {
    expect(wantedPluralKitIds(fronters)).toEqual(wanted);
  });
});

describe('sameFronterSet', () => {
  it.each([
    { a: [], b: [], same: true },
    { a: ['abcde', 'fghijk'], b: ['fghijk', 'abcde'], same: true },
    { a: ['abcde'], b: ['abcde', 'abcde'], same: true },
    { a: ['abcde'], b: ['abcde', 'fghijk'], same: false },
    { a: ['abcde', 'fghijk'], b: ['abcde', 'lmnop'], same: false },
    { a: [], b: ['abcde'], same: false },
  ])('$a and $b are the same set: $same', ({ a, b, same }) => {
    expect(sameFronterSet(a, b)).toBe(same);
    expect(sameFronterSet(b, a)).toBe(same);
  });
});

describe('sameFronters', () => {
  const fixture = fronterSetFromSimplyPlural(fixtureFronters, members, customFronts);

  it('sees a reordered list as the same fronters', () => {
    expect(sameFronters(fixture, [...fixture].reverse())).toBe(true);
  });

  it('sees a renamed fronter as the same fronter', () => {
    expect(sameFronters(fixture, fixture.map((f) => ({ ...f, name: `${f.name}!` })))).toBe(true);
  });

  it('sees an unlinked fronter joining as a change, though PluralKit would not notice it', () => {
    expect(sameFronters(fixture.slice(0, 1), fixture.slice(0, 2))).toBe(false);
  });

  it('sees a fronter linked to another PluralKit member as a change', () => {
    expect(sameFronters(fixture, fixture.map((f) => (f.id === ALICE ? { ...f, pluralKitId: 'qrstu' } : f)))).toBe(false);
  });
});
