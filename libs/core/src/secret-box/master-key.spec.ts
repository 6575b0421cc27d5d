import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MasterKeyInvalid } from './errors';
import { loadOrCreateMasterKey, MASTER_KEY_FILE, parseMasterKey } from './master-key';

describe('master key', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'herald-master-key-')), 'data');
  });

  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  const key = randomBytes(32);

  it.each([
    { form: '64 hex characters', text: key.toString('hex') },
    { form: 'upper-case hex', text: key.toString('hex').toUpperCase() },
    { form: 'base64 of 32 bytes', text: key.toString('base64') },
    { form: 'base64 without padding', text: key.toString('base64').replace(/=$/, '') },
    { form: 'a value with surrounding whitespace', text: `  ${key.toString('hex')}\n` },
  ])('accepts $form', ({ text }) => {
    expect(parseMasterKey(text, 'HERALD_MASTER_KEY').equals(key)).toBe(true);
  });

  it.each([
    { form: '62 hex characters', text: key.toString('hex').slice(2) },
    { form: '66 hex characters', text: `${key.toString('hex')}ab` },
    { form: 'base64 of 16 bytes', text: randomBytes(16).toString('base64') },
    { form: 'base64 of 48 bytes', text: randomBytes(48).toString('base64') },
    { form: 'a passphrase', text: 'correct horse battery staple, quite long indeed!!' },
    { form: 'an empty file', text: '' },
  ])('refuses $form without repeating the value', ({ text }) => {
    let error: unknown;
    try {
      parseMasterKey(text, 'HERALD_MASTER_KEY');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MasterKeyInvalid);
    expect((error as Error).message).toContain('HERALD_MASTER_KEY');
    if (text !== '') expect((error as Error).message).not.toContain(text.trim().slice(0, 8));
  });

  it('generates the key into the data dir on first start, readable by its owner only', () => {
    const generated = loadOrCreateMasterKey(dataDir);

    expect(generated).toHaveLength(32);
    expect(statSync(join(dataDir, MASTER_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir)).toEqual([MASTER_KEY_FILE]);
  });

  it('reads the same key back on the next start', () => {
    const first = loadOrCreateMasterKey(dataDir);
    expect(loadOrCreateMasterKey(dataDir).equals(first)).toBe(true);
  });

  it('prefers HERALD_MASTER_KEY over the file and writes nothing', () => {
    expect(loadOrCreateMasterKey(dataDir, key.toString('hex')).equals(key)).toBe(true);
    expect(() => statSync(dataDir)).toThrow();
  });

  it('refuses a damaged key file instead of replacing it', () => {
    loadOrCreateMasterKey(dataDir);
    writeFileSync(join(dataDir, MASTER_KEY_FILE), 'not a key');
    expect(() => loadOrCreateMasterKey(dataDir)).toThrow(MasterKeyInvalid);
  });
});
