import type { ObservedFronter } from './events';

/** SimplyPlural's list envelope: `{ exists, id, content }` (reference/simplyplural-api.md). */
export interface SimplyPluralDocument<Content> {
  exists?: boolean;
  id: string;
  content: Content;
}

/** The fields of a front-history entry that fronting reads. */
export interface SimplyPluralFrontEntry {
  /** Id of a member, or of a custom front when `custom` is true. */
  member: string;
  custom: boolean;
  live?: boolean;
}

/** The fields of a SimplyPlural member that fronting reads. */
export interface SimplyPluralMember {
  name: string;
  /** PluralKit short id; missing or `''` when not linked, and free text when hand-typed. */
  pkId?: string | null;
  archived?: boolean;
}

export interface SimplyPluralCustomFront {
  name: string;
}

const PLURALKIT_SHORT_ID = /^[a-z]{5,6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The id to send to PluralKit for a member's `pkId`, or null when the member is not linked.
 * PluralKit matches ids exactly and writes them lowercase without the dash its bot displays
 * (`ABC-DEF` is `abcdef`). A value that is neither a short id nor a uuid is kept as typed, so
 * PluralKit's "member not found" names it to the user instead of Herald silently dropping it.
 */
export function normalizePluralKitId(pkId: unknown): string | null {
  if (typeof pkId !== 'string') return null;
  const typed = pkId.trim();
  if (typed === '') return null;
  const shortId = typed.toLowerCase().replace(/[\s-]/g, '');
  if (PLURALKIT_SHORT_ID.test(shortId)) return shortId;
  if (UUID.test(typed.toLowerCase())) return typed.toLowerCase();
  return typed;
}

/**
 * SimplyPlural's live fronters as Herald records them, in SimplyPlural's order. A fronter is kept
 * once. Custom fronts never map to PluralKit, and neither do archived members. An entry whose
 * member or custom front is in neither list (deleted between the reads) is left out: nothing
 * about it can be shown, and the next read settles it.
 */
export function fronterSetFromSimplyPlural(
  fronters: readonly SimplyPluralDocument<SimplyPluralFrontEntry>[],
  members: readonly SimplyPluralDocument<SimplyPluralMember>[],
  customFronts: readonly SimplyPluralDocument<SimplyPluralCustomFront>[],
): ObservedFronter[] {
  const membersById = new Map(members.map((member) => [member.id, member.content]));
  const customFrontsById = new Map(customFronts.map((customFront) => [customFront.id, customFront.content]));
  const observed: ObservedFronter[] = [];
  const seen = new Set<string>();
  for (const { content: entry } of fronters) {
    if (entry.live === false) continue;
    const key = `${entry.custom ? 'custom_front' : 'member'}:${entry.member}`;
    if (seen.has(key)) continue;
    const fronter = entry.custom
      ? customFrontFronter(entry.member, customFrontsById.get(entry.member))
      : memberFronter(entry.member, membersById.get(entry.member));
    if (fronter) {
      seen.add(key);
      observed.push(fronter);
    }
  }
  return observed;
}

function memberFronter(id: string, member: SimplyPluralMember | undefined): ObservedFronter | null {
  if (!member) return null;
  return { id, name: member.name, kind: 'member', pluralKitId: member.archived ? null : normalizePluralKitId(member.pkId) };
}

function customFrontFronter(id: string, customFront: SimplyPluralCustomFront | undefined): ObservedFronter | null {
  return customFront ? { id, name: customFront.name, kind: 'custom_front', pluralKitId: null } : null;
}

/**
 * The members a PluralKit switch should list: the fronters' PluralKit ids in SimplyPlural order,
 * each once (PluralKit refuses duplicates with 40003). Empty means a switch-out.
 */
export function wantedPluralKitIds(observed: readonly ObservedFronter[]): string[] {
  const ids = observed.map((fronter) => fronter.pluralKitId).filter((id): id is string => id !== null);
  return [...new Set(ids)];
}

/**
 * Whether two lists hold the same ids, in any order. PluralKit compares switches in order, so
 * posting a reordered list would log a needless switch: compare as sets before posting.
 */
export function sameFronterSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((id) => right.has(id));
}

/** Whether two observations show the same fronters, linked to the same PluralKit members, in any order. */
export function sameFronters(a: readonly ObservedFronter[], b: readonly ObservedFronter[]): boolean {
  const key = (fronter: ObservedFronter) => `${fronter.kind}:${fronter.id}:${fronter.pluralKitId ?? ''}`;
  return sameFronterSet(a.map(key), b.map(key));
}
