import { foldEvents, InvalidInput, type SealedSecret } from '@herald/core';
import type { FrontingEvent, ObservedFronter, StoredToken } from './events';
import {
  type ChangeFrontingSettings,
  frontingSettingsView,
  pluralKitUpdaterView,
  type SystemCommand,
  systemDecider,
  type SystemState,
} from './system.decider';

const sealed = (name: string): SealedSecret => ({ v: 1, keyId: 'key-1', iv: `iv-${name}`, tag: `tag-${name}`, ct: `ct-${name}` });
const stored = (name: string, lastFour = 'AB12'): StoredToken => ({ sealed: sealed(name), lastFour });

const SP = stored('sp', 'sp12');
const PK = stored('pk', 'pk34');
const ALICE: ObservedFronter = { id: 'a1', name: 'Alice', kind: 'member', pluralKitId: 'abcde' };
const BOB: ObservedFronter = { id: 'a2', name: 'Bob', kind: 'member', pluralKitId: 'fghijk' };
const CLAIRE: ObservedFronter = { id: 'a3', name: 'Claire', kind: 'member', pluralKitId: null };

const settingsChanged = (
  data: Partial<Extract<FrontingEvent, { type: 'FrontingSettingsChanged' }>['data']>,
): FrontingEvent => ({
  type: 'FrontingSettingsChanged',
  data: { simplyPluralToken: SP, pluralKitToken: PK, enableToPluralKit: true, changed: [], ...data },
});
const ENABLED = settingsChanged({ changed: ['simplyPluralToken', 'pluralKitToken', 'enableToPluralKit'] });
const DISABLED = settingsChanged({ enableToPluralKit: false, changed: ['enableToPluralKit'] });
const observed = (...fronters: ObservedFronter[]): FrontingEvent => ({ type: 'FrontersObserved', data: { fronters } });
const posted = (switchId = 'switch-1', timestamp = '2024-11-21T12:00:00.482913Z'): FrontingEvent => ({
  type: 'SwitchPosted',
  data: { switchId, pluralKitIds: ['abcde', 'fghijk'], timestamp },
});
const inSync: FrontingEvent = { type: 'PluralKitAlreadyInSync', data: { pluralKitIds: ['abcde'] } };
const staleMember: FrontingEvent = {
  type: 'SwitchPostFailed',
  data: { reason: 'stale_member', detail: "PluralKit has no member 'zzzzz'", staleMemberId: 'zzzzz', pluralKitIds: ['zzzzz'] },
};
const rejected = (service: 'pluralkit' | 'simplyplural'): FrontingEvent => ({ type: 'TokenRejected', data: { service } });

const stateAfter = (events: FrontingEvent[]): SystemState => foldEvents(systemDecider, events);
function given(events: FrontingEvent[]) {
  return { when: (command: SystemCommand) => () => systemDecider.decide(command, stateAfter(events)) };
}
const change = (command: Omit<ChangeFrontingSettings, 'type'>): ChangeFrontingSettings => ({
  type: 'ChangeFrontingSettings',
  ...command,
});

function fieldsOfRefusal(decide: () => unknown): string[] {
  try {
    decide();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInput);
    return ((error as InvalidInput).errors ?? []).map((e) => e.field);
  }
  throw new Error('expected the command to be refused');
}

describe('system decider: fronting settings', () => {
  it('records both sealed tokens and the flag, saying which settings changed', () => {
    expect(given([]).when(change({ simplyPluralToken: SP, pluralKitToken: PK, enableToPluralKit: true }))()).toEqual([ENABLED]);
  });

  it('shows only whether each token is set and its last four characters', () => {
    expect(frontingSettingsView(stateAfter([ENABLED]))).toEqual({
      simplyPluralTokenSet: true,
      simplyPluralTokenLastFour: 'sp12',
      pluralKitTokenSet: true,
      pluralKitTokenLastFour: 'pk34',
      enableToPluralKit: true,
    });
    expect(frontingSettingsView(stateAfter([]))).toEqual({
      simplyPluralTokenSet: false,
      simplyPluralTokenLastFour: null,
      pluralKitTokenSet: false,
      pluralKitTokenLastFour: null,
      enableToPluralKit: false,
    });
  });

  it('keeps the settings a change leaves out', () => {
    const newPk = stored('pk-2', 'zz99');
    expect(given([ENABLED]).when(change({ pluralKitToken: newPk }))()).toEqual([
      settingsChanged({ pluralKitToken: newPk, changed: ['pluralKitToken'] }),
    ]);
  });

  it('counts a token given again as a change, since re-entering it is how a rejected token gets another try', () => {
    expect(given([ENABLED]).when(change({ pluralKitToken: PK }))()).toEqual([settingsChanged({ changed: ['pluralKitToken'] })]);
  });

  it('removes a token once the updater is off', () => {
    expect(given([ENABLED, DISABLED]).when(change({ simplyPluralToken: null }))()).toEqual([
      settingsChanged({ simplyPluralToken: null, enableToPluralKit: false, changed: ['simplyPluralToken'] }),
    ]);
  });

  it('removes a token and turns the updater off in one change', () => {
    expect(given([ENABLED]).when(change({ pluralKitToken: null, enableToPluralKit: false }))()).toEqual([
      settingsChanged({ pluralKitToken: null, enableToPluralKit: false, changed: ['pluralKitToken', 'enableToPluralKit'] }),
    ]);
  });

  it.each([
    { case: 'an empty change', events: [ENABLED], command: change({}) },
    { case: 'enabling what is enabled', events: [ENABLED], command: change({ enableToPluralKit: true }) },
    { case: 'disabling what is disabled', events: [], command: change({ enableToPluralKit: false }) },
    { case: 'removing a token that is not set', events: [], command: change({ pluralKitToken: null }) },
  ])('records nothing for $case', ({ events, command }) => {
    expect(given(events).when(command)()).toEqual([]);
  });

  it.each([
    { case: 'no token', events: [], command: change({ enableToPluralKit: true }), missing: 'simplyPluralToken and pluralKitToken' },
    {
      case: 'only the SimplyPlural token',
      events: [],
      command: change({ simplyPluralToken: SP, enableToPluralKit: true }),
      missing: 'pluralKitToken',
    },
    {
      case: 'only the PluralKit token set earlier',
      events: [settingsChanged({ simplyPluralToken: null, enableToPluralKit: false, changed: ['pluralKitToken'] })],
      command: change({ enableToPluralKit: true }),
      missing: 'simplyPluralToken',
    },
  ])('refuses to enable the updater with $case, naming what is missing', ({ events, command, missing }) => {
    const decide = given(events).when(command);
    expect(fieldsOfRefusal(decide)).toEqual(['enableToPluralKit']);
    expect(decide).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ messages: [expect.stringContaining(`set ${missing} first`)] })] }));
  });

  it.each(['simplyPluralToken', 'pluralKitToken'] as const)('refuses to remove %s while the updater is on', (field) => {
    expect(fieldsOfRefusal(given([ENABLED]).when(change({ [field]: null })))).toEqual([field]);
  });

  it.each([
    { case: 'a plaintext token', token: { sealed: 'a-plain-token', lastFour: 'oken' } },
    { case: 'more than four characters in the clear', token: { sealed: sealed('x'), lastFour: 'oken5' } },
  ])('treats $case as a bug, not as input', ({ token }) => {
    const command = change({ simplyPluralToken: token as unknown as StoredToken });
    expect(given([]).when(command)).toThrow(/must arrive sealed/);
  });
});

describe('system decider: observing fronters', () => {
  it('records the first fronters seen after the updater is enabled', () => {
    expect(given([ENABLED]).when({ type: 'ObserveFronters', fronters: [ALICE, CLAIRE, BOB] })()).toEqual([
      observed(ALICE, CLAIRE, BOB),
    ]);
  });

  it('records nothing when the same fronters come back in another order', () => {
    expect(given([ENABLED, observed(ALICE, BOB)]).when({ type: 'ObserveFronters', fronters: [BOB, ALICE] })()).toEqual([]);
  });

  it.each([
    { case: 'someone joins', fronters: [ALICE, BOB, CLAIRE] },
    { case: 'someone leaves', fronters: [ALICE] },
    { case: 'everyone leaves', fronters: [] },
    { case: 'a fronter is linked to another PluralKit member', fronters: [{ ...ALICE, pluralKitId: 'qrstu' }, BOB] },
  ])('records a change when $case', ({ fronters }) => {
    expect(given([ENABLED, observed(ALICE, BOB)]).when({ type: 'ObserveFronters', fronters })()).toEqual([observed(...fronters)]);
  });

  it('records nothing while the updater is off', () => {
    expect(given([ENABLED, DISABLED]).when({ type: 'ObserveFronters', fronters: [ALICE] })()).toEqual([]);
    expect(given([]).when({ type: 'ObserveFronters', fronters: [ALICE] })()).toEqual([]);
  });

  it('records the same fronters again after a settings change, so the restarted updater syncs them', () => {
    const events = [ENABLED, observed(ALICE, BOB), settingsChanged({ pluralKitToken: stored('pk-2'), changed: ['pluralKitToken'] })];
    expect(given(events).when({ type: 'ObserveFronters', fronters: [ALICE, BOB] })()).toEqual([observed(ALICE, BOB)]);
  });

  it('records the same fronters again after SimplyPlural rejected the token: the read shows it works again', () => {
    const events = [ENABLED, observed(ALICE), rejected('simplyplural')];
    expect(given(events).when({ type: 'ObserveFronters', fronters: [ALICE] })()).toEqual([observed(ALICE)]);
  });
});

describe('system decider: recording outcomes', () => {
  it('records a posted switch once, however often the outcome is delivered', () => {
    const command: SystemCommand = {
      type: 'RecordSwitchPosted',
      switchId: 'switch-1',
      pluralKitIds: ['abcde', 'fghijk'],
      timestamp: '2024-11-21T12:00:00.482913Z',
      observedPosition: 42,
    };
    const events = given([ENABLED, observed(ALICE, BOB)]).when(command)();
    expect(events).toEqual([{ type: 'SwitchPosted', data: { ...posted().data, observedPosition: 42 } }]);
    expect(given([ENABLED, observed(ALICE, BOB), ...events]).when(command)()).toEqual([]);
  });

  it('records that PluralKit was already in sync when that changes what the user sees', () => {
    const command: SystemCommand = { type: 'RecordAlreadyInSync', pluralKitIds: ['abcde'] };
    expect(given([ENABLED, observed(ALICE)]).when(command)()).toEqual([inSync]);
    expect(given([ENABLED, observed(ALICE), staleMember]).when(command)()).toEqual([inSync]);
    expect(given([ENABLED, observed(ALICE), posted()]).when(command)()).toEqual([]);
  });

  it('records a failed switch with the stale member it names', () => {
    const command: SystemCommand = {
      type: 'RecordSwitchPostFailed',
      reason: 'stale_member',
      detail: "PluralKit has no member 'zzzzz'",
      staleMemberId: 'zzzzz',
      pluralKitIds: ['zzzzz'],
    };
    expect(given([ENABLED]).when(command)()).toEqual([staleMember]);
  });

  it.each([
    { reason: 'stale_member' as const, staleMemberId: undefined },
    { reason: 'upstream_unavailable' as const, staleMemberId: 'zzzzz' },
  ])('treats a $reason failure with staleMemberId $staleMemberId as a bug', ({ reason, staleMemberId }) => {
    const command: SystemCommand = { type: 'RecordSwitchPostFailed', reason, detail: 'x', staleMemberId, pluralKitIds: [] };
    expect(given([ENABLED]).when(command)).toThrow(/staleMemberId/);
  });

  it('records a rejection of the current token once', () => {
    const command: SystemCommand = { type: 'RecordTokenRejected', service: 'pluralkit', token: PK.sealed };
    expect(given([ENABLED]).when(command)()).toEqual([rejected('pluralkit')]);
    expect(given([ENABLED, rejected('pluralkit')]).when(command)()).toEqual([]);
  });

  it('ignores a rejection of a token the user has replaced since', () => {
    const replaced = settingsChanged({ pluralKitToken: stored('pk-2'), changed: ['pluralKitToken'] });
    const command: SystemCommand = { type: 'RecordTokenRejected', service: 'pluralkit', token: PK.sealed };
    expect(given([ENABLED, replaced]).when(command)()).toEqual([]);
  });

  it('ignores a rejection when the token has been removed', () => {
    const removed = settingsChanged({ simplyPluralToken: null, enableToPluralKit: false, changed: ['simplyPluralToken'] });
    const command: SystemCommand = { type: 'RecordTokenRejected', service: 'simplyplural', token: SP.sealed };
    expect(given([ENABLED, removed]).when(command)()).toEqual([]);
  });
});

describe('system decider: the PluralKit updater status', () => {
  const PK_REJECTED = 'PluralKit rejected the token';
  const SP_REJECTED = 'SimplyPlural rejected the token';
  const newPk = settingsChanged({ pluralKitToken: stored('pk-2'), changed: ['pluralKitToken'] });
  const newSp = settingsChanged({ simplyPluralToken: stored('sp-2'), changed: ['simplyPluralToken'] });
  const reenabled = settingsChanged({ changed: ['enableToPluralKit'] });

  it.each([
    { after: 'nothing', events: [], status: 'disabled', error: null },
    { after: 'enabling', events: [ENABLED], status: 'starting', error: null },
    { after: 'the first observation', events: [ENABLED, observed(ALICE)], status: 'starting', error: null },
    { after: 'a posted switch', events: [ENABLED, observed(ALICE), posted()], status: 'running', error: null },
    { after: 'finding PluralKit in sync', events: [ENABLED, observed(ALICE), inSync], status: 'running', error: null },
    { after: 'a failed switch', events: [ENABLED, observed(ALICE), staleMember], status: 'error', error: "PluralKit has no member 'zzzzz'" },
    { after: 'a failure then a success', events: [ENABLED, staleMember, posted()], status: 'running', error: null },
    { after: 'a failure then a settings change', events: [ENABLED, staleMember, newSp], status: 'starting', error: null },
    { after: 'PluralKit rejecting the token', events: [ENABLED, rejected('pluralkit')], status: 'error', error: PK_REJECTED },
    { after: 'a PluralKit rejection and a late success', events: [ENABLED, rejected('pluralkit'), posted()], status: 'error', error: PK_REJECTED },
    { after: 'a PluralKit rejection and a new PluralKit token', events: [ENABLED, rejected('pluralkit'), newPk], status: 'starting', error: null },
    { after: 'a PluralKit rejection and a new SimplyPlural token', events: [ENABLED, rejected('pluralkit'), newSp], status: 'error', error: PK_REJECTED },
    { after: 'a PluralKit rejection and disabling', events: [ENABLED, rejected('pluralkit'), DISABLED], status: 'disabled', error: null },
    {
      after: 'a PluralKit rejection, disabling and enabling again',
      events: [ENABLED, rejected('pluralkit'), DISABLED, reenabled],
      status: 'error',
      error: PK_REJECTED,
    },
    { after: 'SimplyPlural rejecting the token', events: [ENABLED, posted(), rejected('simplyplural')], status: 'error', error: SP_REJECTED },
    {
      after: 'a SimplyPlural rejection then a successful read',
      events: [ENABLED, posted(), rejected('simplyplural'), observed(ALICE)],
      status: 'running',
      error: null,
    },
    {
      after: 'both services rejecting their tokens',
      events: [ENABLED, rejected('simplyplural'), rejected('pluralkit')],
      status: 'error',
      error: `${PK_REJECTED}; ${SP_REJECTED}`,
    },
    { after: 'disabling', events: [ENABLED, posted(), DISABLED], status: 'disabled', error: null },
  ])('is $status after $after', ({ events, status, error }) => {
    const view = pluralKitUpdaterView(stateAfter(events));
    expect(view.status).toBe(status);
    expect(view.lastOperationError).toBe(error);
  });

  it('shows the time of the last switch posted, even once disabled', () => {
    const events = [ENABLED, posted('switch-1', '2024-11-21T12:00:00.000000Z'), posted('switch-2', '2024-11-21T12:05:00.000000Z'), DISABLED];
    expect(pluralKitUpdaterView(stateAfter(events))).toEqual({
      status: 'disabled',
      lastOperationError: null,
      lastSwitchAt: '2024-11-21T12:05:00.000000Z',
    });
  });
});
