import type { SealedSecret } from '@herald/core';
import type { IntegrationEvent } from './events';
import { type IntegrationCommand, integrationDecider, IntegrationNotConnected, type IntegrationState, ReconnectRequired, TokenRefreshInProgress } from './integration.decider';

const sealed = (n: number): SealedSecret => ({ v: 1, keyId: 'key', iv: `iv${n}`, tag: `tag${n}`, ct: `ct${n}` });
const NOW = '2025-03-13T12:00:00.000Z';

function fold(events: IntegrationEvent[]): IntegrationState {
  return events.reduce(integrationDecider.evolve, integrationDecider.initialState());
}

function decide(state: IntegrationState, command: IntegrationCommand): IntegrationEvent[] {
  return integrationDecider.decide(command, state);
}

const connected: IntegrationEvent = {
  type: 'IntegrationConnected',
  data: {
    pluginId: 'fitbit',
    connectionId: 'conn-1',
    credentials: sealed(1),
    expiresAt: '2025-03-13T20:00:00.000Z',
    tokenType: 'Bearer',
    scopes: ['sleep', 'activity'],
    timeZone: 'Europe/Berlin',
  },
};

const importCommand = (records: Array<{ date: string; fields: Record<string, unknown> }>): IntegrationCommand => ({
  type: 'RecordImport',
  pluginId: 'fitbit',
  offeredFields: ['steps', 'sleepLength', 'restingHeartRate'],
  startDate: '2025-03-10',
  endDate: '2025-03-13',
  records: records as never,
});

describe('integration decider', () => {
  it('records only the values that are new or changed, so a re-import records nothing', () => {
    const first = decide(fold([connected]), importCommand([{ date: '2025-03-10', fields: { steps: 8423, sleepLength: '07:01' } }]));
    expect(first).toEqual([
      {
        type: 'DailyMetricsImported',
        data: { pluginId: 'fitbit', startDate: '2025-03-10', endDate: '2025-03-13', days: [{ date: '2025-03-10', values: { 'fitbit.steps': 8423, 'fitbit.sleepLength': '07:01' } }] },
      },
    ]);
    const state = fold([connected, ...first]);
    expect(decide(state, importCommand([{ date: '2025-03-10', fields: { steps: 8423, sleepLength: '07:01' } }]))).toEqual([]);
    const changed = decide(state, importCommand([{ date: '2025-03-10', fields: { steps: 9000, sleepLength: '07:01' } }]));
    expect(changed[0].data).toMatchObject({ days: [{ date: '2025-03-10', values: { 'fitbit.steps': 9000 } }] });
  });

  it('never records an absent, empty or unknown value, nor a day outside the range', () => {
    const decided = decide(
      fold([connected]),
      importCommand([
        { date: '2025-03-12', fields: { steps: 0, restingHeartRate: undefined, sleepLength: '' } },
        { date: '2025-03-12', fields: { cardioLoad: 12, steps: null } },
        { date: '2025-03-14', fields: { steps: 1 } },
        { date: 'yesterday', fields: { steps: 2 } },
      ]),
    );
    expect(decided).toEqual([expect.objectContaining({ data: expect.objectContaining({ days: [{ date: '2025-03-12', values: { 'fitbit.steps': 0 } }] }) })]);
  });

  it('lets one refresh take the lock; a second attempt on the same tokens waits', () => {
    const state = fold([connected]);
    const started = decide(state, { type: 'StartTokenRefresh', refreshId: 'r1', basedOn: 'conn-1', now: NOW, until: '2025-03-13T12:01:00.000Z' });
    expect(started).toEqual([{ type: 'TokenRefreshStarted', data: { refreshId: 'r1', basedOn: 'conn-1', until: '2025-03-13T12:01:00.000Z' } }]);
    const locked = fold([connected, ...started]);
    expect(() => decide(locked, { type: 'StartTokenRefresh', refreshId: 'r2', basedOn: 'conn-1', now: NOW, until: NOW })).toThrow(TokenRefreshInProgress);
    // Once the lock lapses another may take it.
    expect(decide(locked, { type: 'StartTokenRefresh', refreshId: 'r2', basedOn: 'conn-1', now: '2025-03-13T12:02:00.000Z', until: NOW })).toHaveLength(1);
  });

  it('takes nothing once the tokens were refreshed by someone else', () => {
    const refreshed = fold([
      connected,
      { type: 'TokenRefreshStarted', data: { refreshId: 'r1', basedOn: 'conn-1', until: NOW } },
      { type: 'TokensRefreshed', data: { refreshId: 'r1', credentials: sealed(2), expiresAt: NOW, tokenType: 'Bearer', scopes: [] } },
    ]);
    expect(refreshed.tokens?.version).toBe('r1');
    expect(refreshed.refreshClaim).toBeNull();
    expect(decide(refreshed, { type: 'StartTokenRefresh', refreshId: 'r2', basedOn: 'conn-1', now: NOW, until: NOW })).toEqual([]);
  });

  it('releases the lock when a refresh fails, and drops tokens of a claim a reconnection replaced', () => {
    const claimed = fold([connected, { type: 'TokenRefreshStarted', data: { refreshId: 'r1', basedOn: 'conn-1', until: '2025-03-13T13:00:00.000Z' } }]);
    const failed = decide(claimed, { type: 'RecordRefreshFailure', refreshId: 'r1', reason: 'Fitbit did not answer' });
    expect(fold([connected, { type: 'TokenRefreshStarted', data: { refreshId: 'r1', basedOn: 'conn-1', until: NOW } }, ...failed]).refreshClaim).toBeNull();
    const reconnected = integrationDecider.evolve(claimed, { ...connected, data: { ...connected.data, connectionId: 'conn-2' } } as IntegrationEvent);
    const data = { refreshId: 'r1', credentials: sealed(3), expiresAt: NOW, tokenType: 'Bearer', scopes: [] };
    expect(decide(reconnected, { type: 'RecordRefreshedTokens', data })).toEqual([]);
  });

  it('marks a reconnection needed once, and refuses refreshes until the user connects again', () => {
    const state = fold([connected]);
    const needed = decide(state, { type: 'RequireReconnect', reason: 'refresh_token_rejected', basedOn: 'conn-1' });
    expect(needed).toEqual([{ type: 'IntegrationReconnectNeeded', data: { reason: 'refresh_token_rejected', basedOn: 'conn-1' } }]);
    const dead = fold([connected, ...needed]);
    expect(decide(dead, { type: 'RequireReconnect', reason: 'refresh_token_rejected', basedOn: 'conn-1' })).toEqual([]);
    expect(() => decide(dead, { type: 'StartTokenRefresh', refreshId: 'r', basedOn: 'conn-1', now: NOW, until: NOW })).toThrow(ReconnectRequired);
    expect(fold([connected, ...needed, connected]).reconnect).toBeNull();
  });

  it('refuses to disconnect, pause or import what is not connected', () => {
    const none = integrationDecider.initialState();
    expect(() => decide(none, { type: 'Disconnect' })).toThrow(IntegrationNotConnected);
    expect(() => decide(none, { type: 'SetEnabled', enabled: false })).toThrow(IntegrationNotConnected);
    expect(() => decide(none, importCommand([]))).toThrow(IntegrationNotConnected);
    const gone = fold([connected, { type: 'IntegrationDisconnected', data: {} }]);
    expect(gone).toMatchObject({ connected: false, tokens: null });
  });

  it('pauses and resumes only when that changes something', () => {
    const state = fold([connected]);
    expect(decide(state, { type: 'SetEnabled', enabled: true })).toEqual([]);
    expect(decide(state, { type: 'SetEnabled', enabled: false })).toEqual([{ type: 'IntegrationDisabled', data: {} }]);
  });
});
