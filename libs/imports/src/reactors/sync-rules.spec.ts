import { rateLimitedUntil, QUOTA_RESERVE } from './integration-syncs';
import { roundJitter } from './sync-scheduler';
import { integrationStatus } from '../projections/integration-views';
import type { SyncStatusDocument } from './sync-status';
import type { IntegrationDocument } from '../projections/imports.read-model';

const NOW = new Date('2025-03-13T12:00:00.000Z');
const LATER = '2025-03-13T12:20:00.000Z';
const EARLIER = '2025-03-13T11:00:00.000Z';

const status = (fields: Partial<SyncStatusDocument> = {}): SyncStatusDocument => ({
  id: 'fitbit',
  lastAttemptAt: null,
  lastSyncAt: null,
  outcome: null,
  problems: [],
  retryAt: null,
  quota: null,
  runningUntil: null,
  ...fields,
});

const integration = (fields: Partial<IntegrationDocument> = {}): IntegrationDocument => ({
  id: 'fitbit',
  pluginId: 'fitbit',
  connected: true,
  enabled: true,
  reconnectReason: null,
  connectedAt: EARLIER,
  disconnectedAt: null,
  scopes: [],
  timeZone: null,
  lastImportAt: null,
  ...fields,
});

describe("the service's rate limit", () => {
  it('holds requests until a 429 reset, or while the budget is below the reserve', () => {
    expect(rateLimitedUntil(status({ retryAt: LATER }), NOW)).toBe(LATER);
    expect(rateLimitedUntil(status({ retryAt: EARLIER }), NOW)).toBeNull();
    expect(rateLimitedUntil(status({ quota: { limit: 150, remaining: QUOTA_RESERVE - 1, resetAt: LATER } }), NOW)).toBe(LATER);
    expect(rateLimitedUntil(status({ quota: { limit: 150, remaining: QUOTA_RESERVE, resetAt: LATER } }), NOW)).toBeNull();
    expect(rateLimitedUntil(status({ quota: { limit: 150, remaining: 0, resetAt: EARLIER } }), NOW)).toBeNull();
  });
});

describe('the status a user sees', () => {
  it.each([
    ['never connected', 'not_connected', null, status()],
    ['disconnected after a failure', 'not_connected', integration({ connected: false }), status({ outcome: 'error' })],
    ['refused for good', 'reconnect_needed', integration({ reconnectReason: 'refresh_token_rejected' }), status()],
    ['paused', 'disabled', integration({ enabled: false }), status({ outcome: 'error' })],
    ['limited until later', 'rate_limited', integration(), status({ outcome: 'error', retryAt: LATER })],
    ['partly read', 'partial', integration(), status({ outcome: 'partial' })],
    ['failed', 'error', integration(), status({ outcome: 'error' })],
    ['limited until a time now past', 'ok', integration(), status({ outcome: 'rate_limited', retryAt: EARLIER })],
    ['connected, not yet synced', 'ok', integration(), status()],
  ] as const)('an integration %s: %s', (_case, expected, doc, sync) => {
    expect(integrationStatus(doc, sync, NOW)).toBe(expected);
  });
});

describe('round jitter', () => {
  it('starts a round up to the jitter share of the interval late', () => {
    expect(roundJitter(3_600_000, 0.1, () => 0)).toBe(0);
    expect(roundJitter(3_600_000, 0.1, () => 0.5)).toBe(180_000);
    expect(roundJitter(3_600_000, 0.1, () => 0.999_999)).toBeLessThanOrEqual(360_000);
  });
});
