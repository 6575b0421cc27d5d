import type { GcmEnvelope } from './aes-gcm';

/** Nest injection token for the configured `KeyStore`. */
export const KEY_STORE = Symbol('KEY_STORE');

/** A subject's data key, encrypted (wrapped) by the master key; never stored otherwise. */
export interface WrappedDataKey extends GcmEnvelope {
  keyId: string;
}

/** Per-subject data keys, kept apart from the event log so deleting one shreds the subject's secrets. */
export interface KeyStore {
  getKey(subject: string): Promise<WrappedDataKey | null>;
  /**
   * Stores `key` unless the subject already has one, and returns the key that stands: when two
   * callers race, both get the winner's key.
   */
  createKey(subject: string, key: WrappedDataKey): Promise<WrappedDataKey>;
  /** Returns whether a key was deleted. */
  deleteKey(subject: string): Promise<boolean>;
  close(): Promise<void>;
}
