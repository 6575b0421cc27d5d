import { HeraldError, InvalidInput } from '@herald/core';
import type { FollowEvent } from './events';
import { type FollowCommand, followsDecider, type FollowsState, MAX_FOLLOWING } from './follows.decider';

function run(state: FollowsState, ...commands: FollowCommand[]): { events: FollowEvent[]; state: FollowsState } {
  const events: FollowEvent[] = [];
  for (const command of commands) {
    const decided = followsDecider.decide(command, state);
    events.push(...decided);
    state = decided.reduce(followsDecider.evolve, state);
  }
  return { events, state };
}

const follow = (followeeId: string): FollowCommand => ({ type: 'FollowUser', followerId: 'ann', followeeId });
const unfollow = (followeeId: string): FollowCommand => ({ type: 'UnfollowUser', followerId: 'ann', followeeId });

describe('follows decider', () => {
  it('records a follow and an unfollow once each', () => {
    const { events, state } = run(followsDecider.initialState(), follow('bob'), follow('bob'), unfollow('bob'), unfollow('bob'));
    expect(events).toEqual([
      { type: 'UserFollowed', data: { followerId: 'ann', followeeId: 'bob' } },
      { type: 'UserUnfollowed', data: { followerId: 'ann', followeeId: 'bob' } },
    ]);
    expect([...state.followees]).toEqual([]);
  });

  it('refuses following oneself or a malformed id', () => {
    expect(() => run(followsDecider.initialState(), follow('ann'))).toThrow(InvalidInput);
    expect(() => run(followsDecider.initialState(), follow('bob smith'))).toThrow(InvalidInput);
  });

  it(`refuses a follow beyond ${MAX_FOLLOWING}, with a 409`, () => {
    const full: FollowsState = { followees: new Set(Array.from({ length: MAX_FOLLOWING }, (_, i) => `user${i}`)) };
    expect(() => run(full, follow('one-more'))).toThrow(expect.objectContaining({ status: 409, code: 'FOLLOW.LIMIT_REACHED' }) as HeraldError);
    expect(run(full, unfollow('user0')).events).toHaveLength(1);
  });

  it('leaves the API token events of the same stream alone', () => {
    const state = followsDecider.evolve(followsDecider.initialState(), { type: 'ApiTokenIssued', data: {} } as unknown as FollowEvent);
    expect(state.followees.size).toBe(0);
  });
});
