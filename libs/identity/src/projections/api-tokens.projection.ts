import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@herald/core';
import { type Projection, RegisterProjection } from '@herald/projections';
import type { ReadStoreSession } from '@herald/readstore';
import type { ApiTokenEvent } from '../domain/events';
import { API_TOKEN_EVENT_TYPES } from '../domain/events';
import { API_TOKENS_COLLECTION, type ApiTokenDocument, ApiTokensReadModel } from './api-tokens.read-model';

const USER_STREAM_PREFIX = 'user-';

/** The lookup table of the auth guard, built only from event data and `occurredAt`. */
@RegisterProjection()
@Injectable()
export class ApiTokensProjection implements Projection {
  readonly name = 'api-tokens';
  readonly filter = { eventTypes: [...API_TOKEN_EVENT_TYPES] };
  readonly collections = [API_TOKENS_COLLECTION];

  constructor(private readonly lookups: ApiTokensReadModel) {}

  async apply(recorded: RecordedEvent, session: ReadStoreSession): Promise<void> {
    if (!recorded.streamId.startsWith(USER_STREAM_PREFIX)) return;
    this.lookups.forgetRemembered();
    const tokens = session.global().collection<ApiTokenDocument>(API_TOKENS_COLLECTION);
    const event = recorded as unknown as ApiTokenEvent;
    const userId = recorded.streamId.slice(USER_STREAM_PREFIX.length);
    switch (event.type) {
      case 'ApiTokenIssued':
        await tokens.upsert({
          id: event.data.tokenHash,
          tokenId: event.data.tokenId,
          userId,
          scopes: event.data.scopes,
          label: event.data.label ?? null,
          revoked: false,
          issuedAt: recorded.metadata.occurredAt,
          expiresAt: event.data.expiresAt ?? null,
          revokedAt: null,
          session: event.data.session ?? null,
        });
        return;
      case 'ApiTokenRevoked': {
        const { items } = await tokens.find({ filter: { tokenId: event.data.tokenId, userId }, limit: 1 });
        if (items[0]) await tokens.patch(items[0].id, { revoked: true, revokedAt: recorded.metadata.occurredAt });
        return;
      }
    }
  }
}
