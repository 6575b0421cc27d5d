import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { streams, type RecordedEvent } from '@herald/core';
import { EVENT_STORE, readAllPages, type EventFilter, type EventStore } from '@herald/eventstore';
import { toAuditEntry, type AuditEntry } from './audit-entry';
import { GUILD_STATE_VIEW_METADATA, guildActivityView, type GuildStateView } from './guild-state';

export interface AuditQuery {
  page: number;
  pageSize: number;
  /** Only events of these types. */
  types?: string[];
  /** Only events that occurred at or before this ISO time. */
  until?: string;
}

export interface AuditPage {
  items: AuditEntry[];
  page: number;
  pageSize: number;
  hasMore: boolean;
}

export interface GuildStateAt {
  guildId: string;
  at: string;
  /** Global position of the last event replayed, null when none had happened yet. */
  position: number | null;
  state: Record<string, unknown>;
}

/** Events of one subject: a stream filter the store can use, and the exact test it cannot express. */
interface Subject {
  filter: EventFilter;
  owns(event: RecordedEvent): boolean;
}

const SCAN_PAGE = 1000;

/** Audits read the log itself, never a read model (DESIGN.md). */
@Injectable()
export class AuditService implements OnModuleInit {
  private readonly views: GuildStateView[] = [guildActivityView as GuildStateView];

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  /** Every feature's guild-state view, found once all providers exist. */
  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.metatype && this.reflector.get(GUILD_STATE_VIEW_METADATA, wrapper.metatype)) {
        this.views.push(wrapper.instance as GuildStateView);
      }
    }
  }

  guildAudit(guildId: string, query: AuditQuery): Promise<AuditPage> {
    return this.page(guildSubject(guildId), query);
  }

  userAudit(userId: string, query: AuditQuery): Promise<AuditPage> {
    return this.page(userSubject(userId), query);
  }

  /** The guild as it was at `at`: its streams replayed, in log order, through every guild-state view. */
  async guildStateAt(guildId: string, at: Date): Promise<GuildStateAt> {
    const subject = guildSubject(guildId);
    const state: Record<string, unknown> = Object.fromEntries(this.views.map((view) => [view.name, view.initialState(guildId)]));
    let position: number | null = null;
    for await (const event of this.scan(subject.filter, 'forwards')) {
      if (!subject.owns(event) || Date.parse(event.metadata.occurredAt) > at.getTime()) continue;
      for (const view of this.views) state[view.name] = view.evolve(state[view.name], event);
      position = event.position;
    }
    return { guildId, at: at.toISOString(), position, state };
  }

  /** Every event from `fromPosition` (inclusive) in log order, for export. */
  async *exportEvents(fromPosition?: number): AsyncGenerator<RecordedEvent> {
    yield* this.scan({}, 'forwards', fromPosition);
  }

  private async page(subject: Subject, query: AuditQuery): Promise<AuditPage> {
    const skip = (query.page - 1) * query.pageSize;
    const until = query.until === undefined ? undefined : Date.parse(query.until);
    const filter: EventFilter = { ...subject.filter, eventTypes: query.types };
    const items: AuditEntry[] = [];
    let matched = 0;
    for await (const event of this.scan(filter, 'backwards')) {
      if (!subject.owns(event)) continue;
      if (until !== undefined && Date.parse(event.metadata.occurredAt) > until) continue;
      matched += 1;
      if (matched <= skip) continue;
      if (items.length === query.pageSize) return { items, page: query.page, pageSize: query.pageSize, hasMore: true };
      items.push(toAuditEntry(event));
    }
    return { items, page: query.page, pageSize: query.pageSize, hasMore: false };
  }

  private async *scan(filter: EventFilter, direction: 'forwards' | 'backwards', from?: number): AsyncGenerator<RecordedEvent> {
    // Export starts at `from` inclusive; pages resume after it.
    if (from !== undefined) {
      const [first] = await this.eventStore.readAll({ fromPosition: from, direction, filter, maxCount: 1 });
      if (!first) return;
      yield first;
      from = first.position;
    }
    const pages =
      direction === 'forwards'
        ? this.eventStore.scanAll({ afterPosition: from, filter, pageSize: SCAN_PAGE })
        : readAllPages(this.eventStore, { afterPosition: from, direction, filter, pageSize: SCAN_PAGE });
    for await (const page of pages) yield* page;
  }
}

function guildSubject(guildId: string): Subject {
  const guildStream = streams.guild(guildId);
  const memberPrefix = streams.guildMember(guildId, '');
  return {
    filter: { streamPrefixes: [guildStream, memberPrefix] },
    // `guild-12` is also a prefix of `guild-123`: keep the exact stream only.
    owns: (event) => event.streamId === guildStream || event.streamId.startsWith(memberPrefix),
  };
}

function userSubject(userId: string): Subject {
  const own = [streams.user(userId), streams.presence(userId), streams.system(userId)];
  const integrationPrefix = streams.integration(userId, '');
  return {
    filter: { streamPrefixes: [...own, integrationPrefix] },
    owns: (event) => own.includes(event.streamId) || event.streamId.startsWith(integrationPrefix),
  };
}
