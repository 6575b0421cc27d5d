import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MasterKeyInvalid } from './errors';

const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';

/**
 * The 32-byte master key: from `fromEnv` (HERALD_MASTER_KEY) when given, else from
 * `<dataDir>/master.key`, which is generated (mode 0600) on first start. Several processes starting
 * together end up with the same key: the file is published atomically and only once.
 */
export function loadOrCreateMasterKey(dataDir: string, fromEnv?: string): Buffer {
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseMasterKey(fromEnv, 'HERALD_MASTER_KEY');
  const file = join(dataDir, MASTER_KEY_FILE);
  const existing = readIfPresent(file);
  if (existing !== null) return parseMasterKey(existing, file);
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(MASTER_KEY_BYTES);
  if (publishOnce(file, `${key.toString('hex')}\n`)) return key;
  return parseMasterKey(readFileSync(file, 'utf8'), file);
}

/** Accepts 64 hex characters or standard base64 of exactly 32 bytes. */
export function parseMasterKey(text: string, origin: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === MASTER_KEY_BYTES) return key;
  }
  throw new MasterKeyInvalid(origin);
}

function readIfPresent(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Writes and syncs a private temporary file, then links it into place: readers never see a
 * half-written key, and when two processes race the first link wins. Returns whether this one won.
 */
function publishOnce(file: string, content: string): boolean {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let won: boolean;
  try {
    linkSync(temporary, file);
    won = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    won = false;
  } finally {
    unlinkSync(temporary);
  }
  if (won) syncDirectory(dirname(file));
  return won;
}

/** Makes the new directory entry durable: losing the master key would lose every sealed secret. */
function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
