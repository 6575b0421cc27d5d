import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM output, base64 fields so it travels in JSON. */
export interface GcmEnvelope {
  iv: string;
  tag: string;
  ct: string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `aad` binds the ciphertext to its context (subject, key id) without being encrypted. */
export function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: string): GcmEnvelope {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

/** Throws when the key, the aad or any byte of the envelope is wrong. */
export function gcmDecrypt(key: Buffer, envelope: GcmEnvelope, aad: string): Buffer {
  const tag = Buffer.from(envelope.tag, 'base64');
  if (tag.length !== TAG_BYTES) throw new Error('authentication tag has the wrong length');
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(envelope.iv, 'base64'), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
}
