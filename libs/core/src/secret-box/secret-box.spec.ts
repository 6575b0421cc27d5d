import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gcmDecrypt } from './aes-gcm';
import { SecretForgotten, SecretUnreadable } from './errors';
import type { KeyStore, WrappedDataKey } from './key-store.port';
import { createMongoKeyStore } from './mongo-key-store';
import { SecretBox, type SealedSecret } from './secret-box';
import { createSqliteKeyStore } from './sqlite-key-store';

const PLAINTEXT = 'sp-token-4f9c1e7a-very-secret';

describe('SecretBox', () => {
  let dir: string;
  let keysPath: string;
  let keys: KeyStore;
  let box: SecretBox;
  const masterKey = randomBytes(32);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-secret-box-'));
    keysPath = join(dir, 'keys.sqlite');
    keys = createSqliteKeyStore({ path: keysPath });
    box = new SecretBox(masterKey, keys);
  });

  afterEach(async () => {
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens what it sealed', async () => {
    const sealed = await box.seal('user-1', PLAINTEXT);
    await expect(box.open('user-1', sealed)).resolves.toBe(PLAINTEXT);
  });

  it('seals into a JSON-safe value that carries no plaintext and never repeats itself', async () => {
    const first = await box.seal('user-1', PLAINTEXT);
    const second = await box.seal('user-1', PLAINTEXT);
    const roundTripped = JSON.parse(JSON.stringify(first)) as SealedSecret;

    expect(Object.keys(first).sort()).toEqual(['ct', 'iv', 'keyId', 'tag', 'v']);
    expect(JSON.stringify(first)).not.toContain(PLAINTEXT);
    expect(JSON.stringify(first)).not.toContain(Buffer.from(PLAINTEXT).toString('base64'));
    expect(first.ct).not.toBe(second.ct);
    await expect(box.open('user-1', roundTripped)).resolves.toBe(PLAINTEXT);
  });

  it.each([
    { part: 'ciphertext', tamper: (s: SealedSecret) => ({ ...s, ct: flipFirstBit(s.ct) }) },
    { part: 'tag', tamper: (s: SealedSecret) => ({ ...s, tag: flipFirstBit(s.tag) }) },
    { part: 'iv', tamper: (s: SealedSecret) => ({ ...s, iv: flipFirstBit(s.iv) }) },
    { part: 'shape', tamper: (s: SealedSecret) => ({ ...s, v: 2 }) as unknown as SealedSecret },
  ])('refuses a value whose $part was tampered with', async ({ tamper }) => {
    const sealed = await box.seal('user-1', PLAINTEXT);
    await expect(box.open('user-1', tamper(sealed))).rejects.toBeInstanceOf(SecretUnreadable);
  });

  it('cannot open a value under another master key', async () => {
    const sealed = await box.seal('user-1', PLAINTEXT);
    const impostor = new SecretBox(randomBytes(32), keys);
    await expect(impostor.open('user-1', sealed)).rejects.toBeInstanceOf(SecretUnreadable);
  });

  it('keeps subjects apart: forgetting one leaves the others readable', async () => {
    const mine = await box.seal('user-1', 'mine');
    const theirs = await box.seal('user-2', 'theirs');

    await box.forget('user-1');

    await expect(box.open('user-1', mine)).rejects.toBeInstanceOf(SecretForgotten);
    await expect(box.open('user-2', theirs)).resolves.toBe('theirs');
  });

  it('never opens a forgotten value again, even once the subject seals anew', async () => {
    const before = await box.seal('user-1', PLAINTEXT);
    await box.forget('user-1');
    const after = await box.seal('user-1', 'new secret');

    await expect(box.open('user-1', before)).rejects.toBeInstanceOf(SecretForgotten);
    await expect(box.open('user-1', after)).resolves.toBe('new secret');
  });

  it('gives a new subject exactly one key when many seal for it at once, through two connections', async () => {
    const otherProcessKeys = createSqliteKeyStore({ path: keysPath });
    const otherBox = new SecretBox(masterKey, otherProcessKeys);
    try {
      const sealed = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? box : otherBox).seal('user-new', `secret ${i}`)),
      );

      expect(new Set(sealed.map((s) => s.keyId)).size).toBe(1);
      const opened = await Promise.all(sealed.map((s) => box.open('user-new', s)));
      expect(opened).toEqual(Array.from({ length: 20 }, (_, i) => `secret ${i}`));
    } finally {
      await otherProcessKeys.close();
    }
  });

  it('never stores a data key unwrapped, and leaves no trace of a forgotten one in its files', async () => {
    const sealed = await box.seal('user-1', PLAINTEXT);
    const dataKey = unwrapForTest(masterKey, 'user-1', (await keys.getKey('user-1')) as WrappedDataKey);
    // The scan finds a key where it is stored in the clear (a check that the check works).
    expect(findKeyOpening(Buffer.concat([randomBytes(100), dataKey, randomBytes(100)]), sealed)).toBe(true);

    expect(keyFiles().some((file) => findKeyOpening(file, sealed))).toBe(false);
    const wrapped = JSON.stringify(await keys.getKey('user-1'));
    await box.forget('user-1');
    const ciphertext = Buffer.from(JSON.parse(wrapped).ct, 'base64');
    expect(keyFiles().some((file) => file.includes(ciphertext))).toBe(false);
  });

  function keyFiles(): Buffer[] {
    return [keysPath, `${keysPath}-wal`].filter(existsSync).map((path) => readFileSync(path));
  }
});

describe.each([
  { adapter: 'SQLite', url: 'always' },
  { adapter: 'MongoDB', url: process.env.MONGO_URL },
])('$adapter key store', ({ adapter, url }) => {
  if (url === undefined) {
    it('is skipped because MONGO_URL is not set', () => {
      console.log(`${adapter} key store contract skipped: MONGO_URL is not set`);
    });
    return;
  }
  let keys: KeyStore;
  let cleanUp: () => Promise<void>;

  beforeEach(() => {
    if (adapter === 'SQLite') {
      const dir = mkdtempSync(join(tmpdir(), 'herald-keys-'));
      keys = createSqliteKeyStore({ path: join(dir, 'nested', 'keys.sqlite') });
      cleanUp = async () => {
        await keys.close();
        rmSync(dir, { recursive: true, force: true });
      };
    } else {
      const databaseName = `herald-test-keys-${randomBytes(4).toString('hex')}`;
      keys = createMongoKeyStore({ url, databaseName });
      cleanUp = async () => {
        const { MongoClient } = await import('mongodb');
        const client = await MongoClient.connect(url);
        await client.db(databaseName).dropDatabase();
        await client.close();
        await keys.close();
      };
    }
  });

  afterEach(() => cleanUp());

  const key = (keyId: string): WrappedDataKey => ({ keyId, iv: 'aXY=', tag: 'dGFn', ct: 'Y3Q=' });

  it('returns null for a subject without a key', async () => {
    await expect(keys.getKey('nobody')).resolves.toBeNull();
  });

  it('keeps the first key created for a subject and hands it to later creators', async () => {
    await expect(keys.createKey('s', key('first'))).resolves.toEqual(key('first'));
    await expect(keys.createKey('s', key('second'))).resolves.toEqual(key('first'));
    await expect(keys.getKey('s')).resolves.toEqual(key('first'));
  });

  it('hands every concurrent creator the same key', async () => {
    const standing = await Promise.all(Array.from({ length: 10 }, (_, i) => keys.createKey('s', key(`k${i}`))));
    expect(new Set(standing.map((k) => k.keyId)).size).toBe(1);
  });

  it('deletes a key once and reports whether it did', async () => {
    await keys.createKey('s', key('k'));
    await expect(keys.deleteKey('s')).resolves.toBe(true);
    await expect(keys.deleteKey('s')).resolves.toBe(false);
    await expect(keys.getKey('s')).resolves.toBeNull();
  });
});

function flipFirstBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] ^= 1;
  return bytes.toString('base64');
}

function unwrapForTest(masterKey: Buffer, subject: string, wrapped: WrappedDataKey): Buffer {
  return gcmDecrypt(masterKey, wrapped, `herald/data-key/${wrapped.keyId}/${subject}`);
}

/** Whether any 32 consecutive bytes of `haystack` are the key that opens `sealed`. */
function findKeyOpening(haystack: Buffer, sealed: SealedSecret): boolean {
  for (let offset = 0; offset + 32 <= haystack.length; offset++) {
    try {
      gcmDecrypt(haystack.subarray(offset, offset + 32), sealed, `herald/secret/${sealed.keyId}/user-1`);
      return true;
    } catch {
      // not the key
    }
  }
  return false;
}
