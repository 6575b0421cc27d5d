import type { DailyRecord } from './plugin';

/*
 * What a plugin throws for the pipeline to act on. Messages are written by Herald, never copied
 * from an upstream body (Fitbit's error messages embed token fragments).
 */

/** The access token is past its expiry (Fitbit: 401 `expired_token`): refresh, then retry once. */
export class AccessTokenExpired extends Error {
  constructor() {
    super('the access token has expired');
    this.name = 'AccessTokenExpired';
  }
}

/** The upstream refuses the credentials (revoked, malformed): a refresh may help once, else the user reconnects. */
export class CredentialsRejected extends Error {
  constructor(readonly reason: string) {
    super(`the upstream refused the credentials (${reason})`);
    this.name = 'CredentialsRejected';
  }
}

/** The refresh token is dead (OAuth `invalid_grant`): used already or revoked. Only reconnecting helps. */
export class RefreshTokenRejected extends Error {
  constructor() {
    super('the refresh token was refused (invalid_grant)');
    this.name = 'RefreshTokenRejected';
  }
}

/** The user's request budget is spent (HTTP 429): nothing may be asked before `resetAt`. */
export class UpstreamRateLimited extends Error {
  constructor(readonly resetAt: string) {
    super(`the upstream rate limit is reached until ${resetAt}`);
    this.name = 'UpstreamRateLimited';
  }
}

/** Fields that could not be read in a fetch, and why (said to the user). */
export interface FieldFailure {
  fields: string[];
  message: string;
}

/** Some fields could be read and some not: the pipeline stores what came and reports the rest. */
export class IncompleteFetch extends Error {
  constructor(
    readonly records: DailyRecord[],
    readonly failures: FieldFailure[],
  ) {
    super(`some fields could not be read: ${failures.flatMap((failure) => failure.fields).join(', ')}`);
    this.name = 'IncompleteFetch';
  }
}
