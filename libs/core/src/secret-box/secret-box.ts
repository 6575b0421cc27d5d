import { randomBytes, randomUUID } from 'node:crypto';
import { type GcmEnvelope, gcmDecrypt, gcmEncrypt } from './aes-gcm';
import { MasterKeyInvalid, SecretForgotten, SecretUnreadable } from './errors';
import type { KeyStore, WrappedDataKey } from './key-store.port';

/** Nest injection token for the `SecretBox`. */
export const SECRET_BOX = Symbol('SECRET_BOX');

/** A sealed value, JSON-safe, fit to be put in an event: it reveals nothing without the subject's key. */
export interface SealedSecret extends GcmEnvelope {
  v: 1;
  /** The data key it was sealed with; a subject forgotten and sealed for again gets a new one. */
  keyId: string;
}

export function isSealedSecret(value: unknown): value is SealedSecret {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate.v === 1 &&
    ['keyId', 'iv', 'tag', 'ct'].every((field) => typeof candidate[field] === 'string')
  );
}

const DATA_KEY_BYTES = 32;

/**
 * Envelope encryption: each subject (a user, an integration) has its own data key, stored wrapped
 * by the master key in a `KeyStore` outside the log. `forget` deletes that key, which makes every
 * value sealed for the subject unreadable everywhere the log is copied (crypto-shredding).
 */
export class SecretBox {
  constructor(
    private readonly masterKey: Buffer,
    private readonly keys: KeyStore,
  ) {
    if (masterKey.length !== DATA_KEY_BYTES) throw new MasterKeyInvalid('the master key');
  }

  async seal(subject: string, plaintext: string): Promise<SealedSecret> {
    const wrapped =
      (await this.keys.getKey(subject)) ?? (await this.keys.createKey(subject, this.newWrappedKey(subject)));
    const dataKey = this.unwrap(subject, wrapped);
    try {
      const envelope = gcmEncrypt(dataKey, Buffer.from(plaintext, 'utf8'), secretAad(subject, wrapped.keyId));
      return { v: 1, keyId: wrapped.keyId, ...envelope };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Throws `SecretForgotten` once the subject's key is gone, `SecretUnreadable` when tampered with. */
  async open(subject: string, sealed: SealedSecret): Promise<string> {
    if (!isSealedSecret(sealed)) throw new SecretUnreadable();
    const wrapped = await this.keys.getKey(subject);
    if (wrapped === null || wrapped.keyId !== sealed.keyId) throw new SecretForgotten();
    const dataKey = this.unwrap(subject, wrapped);
    try {
      return gcmDecrypt(dataKey, sealed, secretAad(subject, sealed.keyId)).toString('utf8');
    } catch (error) {
      throw new SecretUnreadable(error);
    } finally {
      dataKey.fill(0);
    }
  }

  /** Deletes the subject's data key. Idempotent. */
  async forget(subject: string): Promise<void> {
    await this.keys.deleteKey(subject);
  }

  private newWrappedKey(subject: string): WrappedDataKey {
    const keyId = randomUUID();
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      return { keyId, ...gcmEncrypt(this.masterKey, dataKey, wrapAad(subject, keyId)) };
    } finally {
      dataKey.fill(0);
    }
  }

  private unwrap(subject: string, wrapped: WrappedDataKey): Buffer {
    try {
      return gcmDecrypt(this.masterKey, wrapped, wrapAad(subject, wrapped.keyId));
    } catch (error) {
      // A key that does not unwrap was stored under another master key or altered.
      throw new SecretUnreadable(error);
    }
  }
}

function wrapAad(subject: string, keyId: string): string {
  return `herald/data-key/${keyId}/${subject}`;
}

function secretAad(subject: string, keyId: string): string {
  return `herald/secret/${keyId}/${subject}`;
}
