import { InvalidInput } from '@herald/core';
import type { AdminConfigField } from '../domain/plugin';
import { settingsChange } from './configure-plugin.command';

const FIELDS: AdminConfigField[] = [
  { id: 'clientId', label: 'Client ID', description: '', secret: false, required: true, env: 'X_CLIENT_ID' },
  { id: 'clientSecret', label: 'Client secret', description: '', secret: true, required: true, env: 'X_CLIENT_SECRET' },
];

describe('a change of plugin settings', () => {
  it('sets strings and removes nulls', () => {
    expect(settingsChange(FIELDS, { clientId: '23ABCD', clientSecret: null })).toEqual({ set: { clientId: '23ABCD' }, clear: ['clientSecret'] });
  });

  it.each([[{}], [{ other: 'x' }], [{ clientId: '' }], [{ clientId: ' padded' }], [{ clientId: 'line\n' }], [{ clientSecret: 7 }], [{ clientId: 'x'.repeat(1025) }]])(
    'refuses %j without repeating a value',
    (values) => {
      const error = (() => {
        try {
          settingsChange(FIELDS, values);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(InvalidInput);
      for (const value of Object.values(values)) if (typeof value === 'string' && value.trim()) expect(JSON.stringify((error as InvalidInput).errors)).not.toContain(value.trim());
    },
  );
});
