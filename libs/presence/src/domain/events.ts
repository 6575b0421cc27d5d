import type { DomainEvent } from '@herald/core';
import type { PresenceStatus } from './presence';

/**
 * Why a presence changed: the user chose it (`manual`), activity came back after they were
 * offline (`connect`: a socket opened or a heartbeat came), their last socket closed and the grace
 * period passed (`disconnect`), or they went silent for the whole timeout (`timeout`).
 */
export type PresenceChangeReason = 'manual' | 'connect' | 'disconnect' | 'timeout';

/**
 * The status, message or DAW a user shows changed (stream `presence-<userId>`). Heartbeats are no
 * events; only transitions are.
 */
export type PresenceChanged = DomainEvent<
  'PresenceChanged',
  {
    status: PresenceStatus;
    previousStatus: PresenceStatus;
    message: string | null;
    daw: string | null;
    reason: PresenceChangeReason;
    /** ISO-8601: the user's last activity Herald knew of when the change was made. */
    lastActiveAt: string;
    /**
     * Manual changes only, ISO-8601: when the user made the change (the client's time, or Herald's
     * when the client gave none). Manual changes apply in this order: an older one never
     * overwrites a newer one, however late it arrives.
     */
    requestedAt?: string;
  }
>;

/** The user's privacy settings after a change, in full. */
export type PresencePrivacyChanged = DomainEvent<
  'PresencePrivacyChanged',
  { showActivityStatus: boolean; showLastActive: boolean }
>;

/** GetStream now shows the user as `invisible` (true) or not: the mirror reactor's outcome. */
export type PresenceMirrored = DomainEvent<'PresenceMirrored', { invisible: boolean }>;

/** GetStream refused to take the user's visibility; it is tried again on the next change. */
export type PresenceMirrorFailed = DomainEvent<
  'PresenceMirrorFailed',
  { invisible: boolean; status: number | null; detail: string }
>;

export type PresenceEvent = PresenceChanged | PresencePrivacyChanged | PresenceMirrored | PresenceMirrorFailed;

export const PRESENCE_EVENT_TYPES: ReadonlyArray<PresenceEvent['type']> = [
  'PresenceChanged',
  'PresencePrivacyChanged',
  'PresenceMirrored',
  'PresenceMirrorFailed',
];

/** `followerId` follows `followeeId` (stream `user-<followerId>`). */
export type UserFollowed = DomainEvent<'UserFollowed', { followerId: string; followeeId: string }>;

export type UserUnfollowed = DomainEvent<'UserUnfollowed', { followerId: string; followeeId: string }>;

export type FollowEvent = UserFollowed | UserUnfollowed;

export const FOLLOW_EVENT_TYPES: ReadonlyArray<FollowEvent['type']> = ['UserFollowed', 'UserUnfollowed'];
