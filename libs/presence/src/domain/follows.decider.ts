import { type Decider, HeraldError, InvalidInput } from '@herald/core';
import { isUserId, USER_ID_RULE } from '@herald/identity';
import type { FollowEvent } from './events';

export interface FollowUser {
  type: 'FollowUser';
  followerId: string;
  followeeId: string;
}

export interface UnfollowUser {
  type: 'UnfollowUser';
  followerId: string;
  followeeId: string;
}

export type FollowCommand = FollowUser | UnfollowUser;

/** Whom one user follows (from their `user-<userId>` stream, which also holds their API tokens). */
export interface FollowsState {
  followees: ReadonlySet<string>;
}

/** Each follow costs a message per change of the followee: a bound keeps one user's fan-in sane. */
export const MAX_FOLLOWING = 1000;

function decide(command: FollowCommand, state: FollowsState): FollowEvent[] {
  if (!isUserId(command.followeeId)) {
    throw new InvalidInput('Invalid field: userId.', { errors: [{ field: 'userId', messages: [`userId ${USER_ID_RULE}`] }] });
  }
  const following = state.followees.has(command.followeeId);
  const data = { followerId: command.followerId, followeeId: command.followeeId };
  if (command.type === 'UnfollowUser') return following ? [{ type: 'UserUnfollowed', data }] : [];
  if (following) return [];
  if (command.followeeId === command.followerId) {
    throw new InvalidInput('Invalid field: userId.', {
      code: 'FOLLOW.SELF',
      errors: [{ field: 'userId', messages: ['userId must be someone other than the caller: nobody follows themselves'] }],
    });
  }
  if (state.followees.size >= MAX_FOLLOWING) {
    throw new HeraldError({
      code: 'FOLLOW.LIMIT_REACHED',
      status: 409,
      title: 'Follow limit reached',
      detail: `A user can follow at most ${MAX_FOLLOWING} others; unfollow someone first.`,
    });
  }
  return [{ type: 'UserFollowed', data }];
}

function evolve(state: FollowsState, event: FollowEvent): FollowsState {
  switch (event.type) {
    case 'UserFollowed':
      return { followees: new Set(state.followees).add(event.data.followeeId) };
    case 'UserUnfollowed': {
      const followees = new Set(state.followees);
      followees.delete(event.data.followeeId);
      return { followees };
    }
    default:
      // The user stream also holds API token events: they do not touch follows.
      return state;
  }
}

export const followsDecider: Decider<FollowCommand, FollowEvent, FollowsState> = {
  decide,
  evolve,
  initialState: () => ({ followees: new Set() }),
};
