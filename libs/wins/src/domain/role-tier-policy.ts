/** A guild's rule "from `wins` wins on, a member holds `roleId`". */
export interface RoleThreshold {
  wins: number;
  roleId: string;
}

/** The role of the highest threshold the member reached; none below every threshold or without a count. */
export function wantedRole(wins: number | null, thresholds: readonly RoleThreshold[]): string | null {
  if (wins === null) return null;
  let best: RoleThreshold | null = null;
  for (const threshold of thresholds) {
    if (threshold.wins <= wins && (best === null || threshold.wins > best.wins)) best = threshold;
  }
  return best?.roleId ?? null;
}

export interface RoleChangeInput {
  wanted: string | null;
  /** The roles the member holds now. */
  held: readonly string[];
  /**
   * Every role Herald manages for this member: the current thresholds' roles plus those of
   * thresholds removed since the member's last reconcile, so a removed tier is taken back too.
   */
  thresholdRoleIds: readonly string[];
}

/** What to add and remove so the member holds exactly the wanted threshold role; other roles are never touched. */
export function roleChanges({ wanted, held, thresholdRoleIds }: RoleChangeInput): { add: string[]; remove: string[] } {
  const managed = new Set(thresholdRoleIds);
  const add = wanted !== null && !held.includes(wanted) ? [wanted] : [];
  const remove = [...new Set(held)].filter((roleId) => managed.has(roleId) && roleId !== wanted);
  return { add, remove };
}
