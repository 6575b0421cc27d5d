import type { DomainEvent, SealedSecret } from '@herald/core';

/** A member of the system, or a SimplyPlural custom front (a state such as "asleep", never in PluralKit). */
export type FronterKind = 'member' | 'custom_front';

/** One fronter as SimplyPlural showed it, with the PluralKit member it maps to (null: none). */
export interface ObservedFronter {
  /** SimplyPlural document id of the member or custom front. */
  id: string;
  name: string;
  kind: FronterKind;
  pluralKitId: string | null;
}

/**
 * A user's upstream token as Herald keeps it: sealed with the user's key from the secret box, and
 * its last four characters, which the masked settings view shows so a user can tell tokens apart.
 */
export interface StoredToken {
  sealed: SealedSecret;
  lastFour: string;
}

export type FrontingSetting = 'simplyPluralToken' | 'pluralKitToken' | 'enableToPluralKit';

/** The services Herald reads from and writes to for fronting. */
export type FrontingService = 'simplyplural' | 'pluralkit';

/**
 * The user's fronting settings after a change, in full (a token is null when not set), so a
 * reader needs no earlier event; `changed` says which settings this change touched.
 */
export type FrontingSettingsChanged = DomainEvent<
  'FrontingSettingsChanged',
  {
    simplyPluralToken: StoredToken | null;
    pluralKitToken: StoredToken | null;
    enableToPluralKit: boolean;
    changed: FrontingSetting[];
  }
>;

/** SimplyPlural showed a new set of fronters, listed in SimplyPlural's order. */
export type FrontersObserved = DomainEvent<'FrontersObserved', { fronters: ObservedFronter[] }>;

/** A switch was logged in PluralKit. */
export type SwitchPosted = DomainEvent<
  'SwitchPosted',
  {
    /** PluralKit's switch uuid. */
    switchId: string;
    pluralKitIds: string[];
    /** PluralKit's time of the switch, ISO-8601. */
    timestamp: string;
    /** Global log position of the `FrontersObserved` this switch answers. */
    observedPosition?: number;
  }
>;

/** PluralKit already showed the wanted fronters, so no switch was needed. */
export type PluralKitAlreadyInSync = DomainEvent<
  'PluralKitAlreadyInSync',
  { pluralKitIds: string[]; observedPosition?: number }
>;

/**
 * Why a switch could not be posted:
 * `stale_member`: PluralKit has no member with one of the ids (a stale or mistyped `pkId`);
 * `upstream_unavailable`: 5xx or timeouts, still failing after the retries;
 * `upstream_refused`: any other refusal (a 4xx that retrying cannot fix).
 */
export type SwitchPostFailureReason = 'stale_member' | 'upstream_unavailable' | 'upstream_refused';

export type SwitchPostFailed = DomainEvent<
  'SwitchPostFailed',
  {
    reason: SwitchPostFailureReason;
    /** Shown to the user as the last operation error; never holds a token. */
    detail: string;
    /** The PluralKit id PluralKit did not know (only with `stale_member`). */
    staleMemberId?: string;
    pluralKitIds: string[];
    observedPosition?: number;
  }
>;

/**
 * A service answered that the user's token is not valid (401, or the websocket's authentication
 * violation). It stands until the user sets that token again (or, for SimplyPlural, until a read
 * succeeds), so Herald does not retry a dead token in a loop.
 */
export type TokenRejected = DomainEvent<'TokenRejected', { service: FrontingService }>;

/** Events of the `system-<userId>` stream. */
export type FrontingEvent =
  | FrontingSettingsChanged
  | FrontersObserved
  | SwitchPosted
  | PluralKitAlreadyInSync
  | SwitchPostFailed
  | TokenRejected;

export const FRONTING_EVENT_TYPES: ReadonlyArray<FrontingEvent['type']> = [
  'FrontingSettingsChanged',
  'FrontersObserved',
  'SwitchPosted',
  'PluralKitAlreadyInSync',
  'SwitchPostFailed',
  'TokenRejected',
];
