import { OFFLINE, type PresenceTuple, sameTuple } from './presence';

export interface PresencePrivacy {
  /** False: everyone but the user sees them `offline`, and nothing of theirs is broadcast. */
  showActivityStatus: boolean;
  /** False: nobody but the user sees `lastActiveAt`. */
  showLastActive: boolean;
}

export const DEFAULT_PRIVACY: PresencePrivacy = Object.freeze({ showActivityStatus: true, showLastActive: true });

/** A user's presence as Herald knows it, before any privacy rule is applied. */
export interface PresenceSnapshot extends PresenceTuple {
  /** ISO-8601, null when never active. */
  lastActiveAt: string | null;
  privacy: PresencePrivacy;
}

/** A user's presence as one viewer may see it: what every route, socket message and mirror shows. */
export interface PresenceView extends PresenceTuple {
  lastActiveAt: string | null;
}

/**
 * What `viewerId` may see of `ownerId`'s presence: the owner sees everything; anyone else (other
 * users, the operator, followers) sees a hidden user as offline without message, DAW or last
 * activity, and no `lastActiveAt` when the user hides it. A hidden user's last activity is hidden
 * too: a fresh `lastActiveAt` would give away what the status hides.
 */
export function presenceSeenBy(snapshot: PresenceSnapshot, ownerId: string, viewerId: string | undefined): PresenceView {
  if (viewerId === ownerId) {
    return { status: snapshot.status, message: snapshot.message, daw: snapshot.daw, lastActiveAt: snapshot.lastActiveAt };
  }
  return othersView(snapshot);
}

function othersView(snapshot: PresenceSnapshot): PresenceView {
  const { showActivityStatus, showLastActive } = snapshot.privacy;
  if (!showActivityStatus) return { ...OFFLINE, lastActiveAt: null };
  return {
    status: snapshot.status,
    message: snapshot.message,
    daw: snapshot.daw,
    lastActiveAt: showLastActive ? snapshot.lastActiveAt : null,
  };
}

/**
 * What a user's followers are sent when the snapshot changes: their new view, when the status,
 * message or DAW they see changed, else nothing. So a hidden user's changes send nothing, and
 * hiding sends one last `offline` (showing again, the real status) only if followers saw otherwise.
 */
export function followerUpdate(before: PresenceSnapshot, after: PresenceSnapshot): PresenceView | null {
  const seenBefore = othersView(before);
  const seenAfter = othersView(after);
  return sameTuple(seenBefore, seenAfter) ? null : seenAfter;
}

/** GetStream's `invisible`: true while others should see the user offline there too. */
export function invisibleOnGetStream(snapshot: Pick<PresenceSnapshot, 'status' | 'privacy'>): boolean {
  return snapshot.status === 'offline' || !snapshot.privacy.showActivityStatus;
}
