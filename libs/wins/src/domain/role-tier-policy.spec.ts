import { type RoleThreshold, roleChanges, wantedRole } from './role-tier-policy';

const BRONZE = '100000000000000001';
const SILVER = '100000000000000002';
const GOLD = '100000000000000003';
const RETIRED = '100000000000000004';
const MEMBER = '200000000000000001';
const MODERATOR = '200000000000000002';

// Deliberately unsorted: the policy must not rely on the caller's order.
const THRESHOLDS: RoleThreshold[] = [
  { wins: 10, roleId: SILVER },
  { wins: 0, roleId: BRONZE },
  { wins: 50, roleId: GOLD },
];
const ABOVE_ZERO: RoleThreshold[] = THRESHOLDS.filter((t) => t.wins > 0);

describe('wanted role', () => {
  it.each([
    { wins: 0, thresholds: THRESHOLDS, role: BRONZE, why: 'a threshold of 0 is reached at 0' },
    { wins: 9, thresholds: THRESHOLDS, role: BRONZE, why: 'just below the next threshold' },
    { wins: 10, thresholds: THRESHOLDS, role: SILVER, why: 'a threshold is reached at its exact count' },
    { wins: 49, thresholds: THRESHOLDS, role: SILVER, why: 'the highest threshold reached wins' },
    { wins: 5000, thresholds: THRESHOLDS, role: GOLD, why: 'far above the top threshold' },
    { wins: 3, thresholds: ABOVE_ZERO, role: null, why: 'below every threshold' },
    { wins: null, thresholds: THRESHOLDS, role: null, why: 'no count yet' },
    { wins: 100, thresholds: [], role: null, why: 'no thresholds' },
  ])('gives $role for $wins wins: $why', ({ wins, thresholds, role }) => {
    expect(wantedRole(wins, thresholds)).toBe(role);
  });
});

describe('role changes', () => {
  const managed = [BRONZE, SILVER, GOLD];

  it.each([
    {
      why: 'adds the wanted role to a member without tier roles',
      wanted: SILVER,
      held: [MEMBER],
      thresholdRoleIds: managed,
      changes: { add: [SILVER], remove: [] },
    },
    {
      why: 'changes nothing when the member holds exactly the wanted role',
      wanted: SILVER,
      held: [MEMBER, SILVER],
      thresholdRoleIds: managed,
      changes: { add: [], remove: [] },
    },
    {
      why: 'swaps a lower tier for the wanted one',
      wanted: GOLD,
      held: [BRONZE, MEMBER],
      thresholdRoleIds: managed,
      changes: { add: [GOLD], remove: [BRONZE] },
    },
    {
      why: 'removes every extra tier role but keeps the wanted one',
      wanted: SILVER,
      held: [BRONZE, SILVER, GOLD],
      thresholdRoleIds: managed,
      changes: { add: [], remove: [BRONZE, GOLD] },
    },
    {
      why: 'removes all tier roles below every threshold',
      wanted: null,
      held: [GOLD, MODERATOR],
      thresholdRoleIds: managed,
      changes: { add: [], remove: [GOLD] },
    },
    {
      why: 'takes back the role of a threshold removed since the last reconcile',
      wanted: SILVER,
      held: [SILVER, RETIRED],
      thresholdRoleIds: [...managed, RETIRED],
      changes: { add: [], remove: [RETIRED] },
    },
    {
      why: 'never touches roles that are not threshold roles',
      wanted: null,
      held: [MEMBER, MODERATOR, RETIRED],
      thresholdRoleIds: managed,
      changes: { add: [], remove: [] },
    },
    {
      why: 'removes a role held twice only once',
      wanted: null,
      held: [BRONZE, BRONZE],
      thresholdRoleIds: managed,
      changes: { add: [], remove: [BRONZE] },
    },
  ])('$why', ({ wanted, held, thresholdRoleIds, changes }) => {
    expect(roleChanges({ wanted, held, thresholdRoleIds })).toEqual(changes);
  });
});
