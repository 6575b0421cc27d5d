import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE, type ReadStore } from '@herald/readstore';
import { API_TOKENS_COLLECTION, type ApiTokenDocument, type ApiTokenView } from './api-tokens.projection';

/** Reads of the `api_tokens` read model. */
@Injectable()
export class ApiTokensReadModel {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  findByHash(tokenHash: string): Promise<ApiTokenDocument | null> {
    return this.collection().get(tokenHash);
  }

  /** Every token of the user, oldest first. */
  async listForUser(userId: string): Promise<ApiTokenView[]> {
    const views: ApiTokenView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.collection().find({
        filter: { userId },
        sort: [['issuedAt', 1]],
        limit: 1000,
        cursor,
      });
      views.push(...page.items.map(toView));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return views;
  }

  private collection() {
    return this.readStore.global().collection<ApiTokenDocument>(API_TOKENS_COLLECTION);
  }
}

function toView(document: ApiTokenDocument): ApiTokenView {
  return {
    tokenId: document.tokenId,
    userId: document.userId,
    scopes: document.scopes,
    label: document.label,
    revoked: document.revoked,
    issuedAt: document.issuedAt,
    expiresAt: document.expiresAt,
    revokedAt: document.revokedAt,
  };
}
