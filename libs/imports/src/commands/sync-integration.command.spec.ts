import { InvalidInput } from '@herald/core';
import { syncRange } from './sync-integration.command';

describe('the days a manual sync imports', () => {
  const today = '2025-03-13';

  it.each([
    [{}, { startDate: '2025-03-07', endDate: '2025-03-13' }],
    [{ endDate: '2025-03-01' }, { startDate: '2025-02-23', endDate: '2025-03-01' }],
    [{ startDate: '2025-03-01' }, { startDate: '2025-03-01', endDate: '2025-03-07' }],
    [{ startDate: '2025-03-10' }, { startDate: '2025-03-10', endDate: '2025-03-13' }],
    [{ startDate: '2025-01-01', endDate: '2025-04-10' }, { startDate: '2025-01-01', endDate: '2025-04-10' }],
  ])('%j: %j', (requested, range) => {
    expect(syncRange(requested, today)).toEqual(range);
  });

  it('refuses a start after the end, and more than 100 days', () => {
    expect(() => syncRange({ startDate: '2025-03-13', endDate: '2025-03-12' }, today)).toThrow(InvalidInput);
    expect(() => syncRange({ startDate: '2025-01-01', endDate: '2025-04-11' }, today)).toThrow(InvalidInput);
  });
});
