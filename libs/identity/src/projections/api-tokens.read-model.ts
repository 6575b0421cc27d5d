import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { type Document, READ_STORE, type ReadStore } from '@herald/readstore';
import type { WebSessionProfile } from '../domain/web-session';

export const API_TOKENS_COLLECTION = 'api_tokens';

/** A token as its owner may see it: everything but the hash. */
export interface ApiTokenView {
  tokenId: string;
  userId: string;
  scopes: string[];
  label: string | null;
  revoked: boolean;
  issuedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** One issued token, in the global scope, keyed by the token's SHA-256 so a bearer token finds it. */
export interface ApiTokenDocument extends ApiTokenView, Document {
  /** The token hash. */
  id: string;
  /** Set when the token is a web console session; absent on documents written before sessions existed. */
  session?: WebSessionProfile | null;
}

/** How long a token read here answers lookups of its hash without asking the read store again. */
const TOKEN_LOOKUP_TTL_MS = 1_000;
const MAX_REMEMBERED_TOKENS = 10_000;

/**
 * Reads of the `api_tokens` read model. Every authenticated request looks its token up, so a token
 * found is remembered for a second; the projection forgets them all whenever it applies a token
 * event here, so an issued or revoked token counts as soon as the read model has it. The second only
 * bounds the cases where that notice cannot come first: a lookup racing the projection's commit, or
 * the projection running in another process.
 */
@Injectable()
export class ApiTokensReadModel {
  private readonly remembered = new Map<string, { document: ApiTokenDocument; readAt: number }>();
  /** Moves on every forget, so a read that started before one is not remembered. */
  private generation = 0;

  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async findByHash(tokenHash: string): Promise<ApiTokenDocument | null> {
    const known = this.remembered.get(tokenHash);
    if (known !== undefined && performance.now() - known.readAt < TOKEN_LOOKUP_TTL_MS) return known.document;
    const generation = this.generation;
    const readAt = performance.now();
    const document = await this.collection().get(tokenHash);
    this.remembered.delete(tokenHash);
    if (document !== null && generation === this.generation) {
      if (this.remembered.size >= MAX_REMEMBERED_TOKENS) this.remembered.delete(this.remembered.keys().next().value!);
      this.remembered.set(tokenHash, { document, readAt });
    }
    return document;
  }

  /** The projection changed tokens: the next lookups read the store. */
  forgetRemembered(): void {
    this.generation += 1;
    this.remembered.clear();
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
