import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, HERALD_CONFIG, type HeraldConfig } from '@herald/core';
import { HttpClientFactory, UpstreamRejected, UpstreamUnavailable } from '@herald/http-client';
import { OAuth2TokenClient, type OAuthClient } from '../../clients/oauth2-token.client';
import type {
  AdminConfigField,
  CredentialCheck,
  DailyRecord,
  DataImportPlugin,
  FetchObserver,
  OAuthConfig,
  PluginConfig,
  PluginCredentials,
  SetupInfo,
} from '../../domain/plugin';
import {
  AccessTokenExpired,
  CredentialsRejected,
  type FieldFailure,
  IncompleteFetch,
  RefreshTokenRejected,
  UpstreamRateLimited,
} from '../../domain/plugin-errors';
import { FitbitApi, fitbitErrorTypes, ScopeNotGranted } from './fitbit-api';
import { FITBIT_FIELDS, FITBIT_RESOURCES, type FitbitResource, mergeRecords } from './fitbit-mapping';

const FITBIT_ID = 'fitbit';
/** The profile scope is asked for once, at connection, to learn the user's time zone. */
const SCOPES = ['activity', 'heartrate', 'sleep', 'profile'];

/**
 * Fitbit, through the legacy Fitbit Web API (reference/fitbit-api.md): everything Fitbit-specific
 * (URLs, scopes, payloads, error bodies, rate-limit headers) stays in this folder. The legacy API
 * is being retired (support ends 2026-09-30); its successor, the Google Health API, will be a
 * plugin of its own.
 */
@Injectable()
export class FitbitPlugin implements DataImportPlugin {
  readonly id = FITBIT_ID;
  readonly name = 'Fitbit';
  readonly description = 'Sleep, steps, resting heart rate and Active Zone Minutes from Fitbit, imported hourly.';
  readonly icon = '⌚';

  private readonly api: FitbitApi;
  private readonly apiUrl: string;
  private readonly authUrl: string;

  constructor(
    factory: HttpClientFactory,
    private readonly tokens: OAuth2TokenClient,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.apiUrl = config.upstreams.fitbit;
    this.authUrl = config.upstreams.fitbitAuth;
    const http = factory.create({
      upstream: FITBIT_ID,
      baseUrl: this.apiUrl,
      timeoutMs: 15_000,
      // A failing sync is tried again within the hour: a couple of quick retries are enough.
      retry: { maxRetries: 2, baseDelayMs: 500 },
      limits: { concurrency: 32 },
    });
    this.api = new FitbitApi(http, clock);
  }

  getAdminConfigFields(): AdminConfigField[] {
    return [
      { id: 'clientId', label: 'OAuth 2.0 Client ID', description: 'From your app at dev.fitbit.com', secret: false, required: true, env: 'FITBIT_CLIENT_ID' },
      { id: 'clientSecret', label: 'Client Secret', description: 'From your app at dev.fitbit.com', secret: true, required: true, env: 'FITBIT_CLIENT_SECRET' },
    ];
  }

  getSetupInfo(config: PluginConfig): SetupInfo {
    return {
      callbackUrl: config.callbackUrl,
      steps: [
        'Register an application at https://dev.fitbit.com/apps/new with OAuth 2.0 Application Type "Server" and Default Access Type "Read Only".',
        `Set its Redirect URL to ${config.callbackUrl} exactly.`,
        'Give Herald its OAuth 2.0 Client ID and Client Secret: PUT /api/v1/admin/plugins/fitbit/config, or FITBIT_CLIENT_ID and FITBIT_CLIENT_SECRET in the environment.',
        'Note: Google retires the legacy Fitbit Web API (support ends 2026-09-30).',
      ],
    };
  }

  isConfigured(config: PluginConfig): boolean {
    return Boolean(config.values.clientId && config.values.clientSecret);
  }

  getOAuthConfig(config: PluginConfig): OAuthConfig {
    return {
      authorizeUrl: `${this.authUrl}/oauth2/authorize`,
      tokenUrl: `${this.apiUrl}/oauth2/token`,
      clientId: config.values.clientId ?? '',
      clientSecret: config.values.clientSecret,
      scopes: SCOPES,
      redirectUri: config.callbackUrl,
    };
  }

  getAvailableFields() {
    return FITBIT_FIELDS;
  }

  /** Reads the profile for the user's time zone; a profile Fitbit will not give (scope not granted, outage) leaves it unknown. */
  async validateCredentials(credentials: PluginCredentials, observer?: FetchObserver): Promise<CredentialCheck> {
    if (!isGranted(credentials, 'profile')) return {};
    try {
      const profile = await this.api.get('/1/user/-/profile.json', credentials.accessToken, observer);
      const timeZone = (profile as { user?: { timezone?: unknown } } | null)?.user?.timezone;
      return typeof timeZone === 'string' && timeZone !== '' ? { timeZone } : {};
    } catch (error) {
      if (error instanceof CredentialsRejected) throw error;
      return {};
    }
  }

  async refreshTokens(credentials: PluginCredentials, config: PluginConfig): Promise<PluginCredentials> {
    const { tokenUrl } = this.getOAuthConfig(config);
    const outcome = await this.tokens.refresh(FITBIT_ID, tokenUrl, client(config), credentials);
    if (outcome.ok) return outcome.credentials;
    const types = fitbitErrorTypes(outcome.body);
    const standard = (outcome.body as { error?: unknown } | null)?.error;
    if (types.includes('invalid_grant') || standard === 'invalid_grant') throw new RefreshTokenRejected();
    // invalid_client and the like are the operator's to fix, not the user's: no reconnect.
    throw new UpstreamRejected(`fitbit refused the token refresh (${types[0] ?? outcome.status}).`, FITBIT_ID, outcome.status, null);
  }

  /**
   * One request per resource holding a wanted field, in parallel (3–4 of the 150 an hour). Auth
   * and rate-limit refusals fail the whole fetch; any other failure fails only its resource's
   * fields, unless no resource could be read at all.
   */
  async fetchData(
    credentials: PluginCredentials,
    startDate: string,
    endDate: string,
    fields: string[],
    observer?: FetchObserver,
  ): Promise<DailyRecord[]> {
    const wanted = FITBIT_RESOURCES.filter((resource) => resource.fields.some((field) => fields.includes(field)));
    const granted = wanted.filter((resource) => isGranted(credentials, resource.scope));
    const settled = await Promise.allSettled(
      granted.map(async (resource) => resource.records(await this.api.get(resource.path(startDate, endDate), credentials.accessToken, observer))),
    );
    const errors = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    const wholeFetchFailure = errors.find(
      (error) => error instanceof AccessTokenExpired || error instanceof CredentialsRejected || error instanceof UpstreamRateLimited,
    );
    if (wholeFetchFailure !== undefined) throw wholeFetchFailure;
    const read = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const unexpected = errors.find((error) => !(error instanceof ScopeNotGranted));
    if (read.length === 0 && unexpected !== undefined) throw unexpected;

    const failures: FieldFailure[] = wanted.flatMap((resource): FieldFailure[] => {
      const index = granted.indexOf(resource);
      if (index < 0) return [notGranted(resource)];
      const outcome = settled[index];
      if (outcome.status === 'fulfilled') return [];
      if (outcome.reason instanceof ScopeNotGranted) return [notGranted(resource)];
      const message =
        outcome.reason instanceof UpstreamUnavailable
          ? `Fitbit did not answer for the ${resource.name} data; the next sync tries again.`
          : `Fitbit refused the ${resource.name} data, or sent it in a form Herald cannot read.`;
      return [{ fields: resource.fields, message }];
    });
    const records = mergeRecords(read).map((record) => ({
      date: record.date,
      fields: Object.fromEntries(Object.entries(record.fields).filter(([field]) => fields.includes(field))),
    }));
    if (failures.length > 0) throw new IncompleteFetch(records, failures);
    return records;
  }

  async revokeTokens(credentials: PluginCredentials, config: PluginConfig): Promise<void> {
    await this.tokens.revoke(FITBIT_ID, `${this.apiUrl}/oauth2/revoke`, client(config), credentials.refreshToken);
  }
}

function client(config: PluginConfig): OAuthClient {
  return { clientId: config.values.clientId ?? '', clientSecret: config.values.clientSecret };
}

/** Tokens without a scope list (never seen from Fitbit) are tried for everything. */
function isGranted(credentials: PluginCredentials, scope: string): boolean {
  return credentials.scopes.length === 0 || credentials.scopes.includes(scope);
}

function notGranted(resource: FitbitResource): FieldFailure {
  return { fields: resource.fields, message: `The Fitbit permission "${resource.scope}" was not granted; connect again and allow it.` };
}
