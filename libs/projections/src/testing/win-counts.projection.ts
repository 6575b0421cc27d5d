import type { NewEvent, RecordedEvent } from '@herald/core';
import { testEvent } from '@herald/core/testing';
import type { Document, ReadStore, ReadStoreSession } from '@herald/readstore';
import type { Projection } from '../projection';

export interface WinCountDocument extends Document {
  id: string;
  wins: number;
  events: number;
}

/** Counts wins per guild member: a read model whose value depends on applying each event exactly once. */
export class WinCounts implements Projection {
  readonly name = 'win-counts';
  readonly filter = { eventTypes: ['WinRecorded'] };
  readonly collections = ['win_counts'];
  failOn?: number;

  async apply(event: RecordedEvent, session: ReadStoreSession): Promise<void> {
    if (event.data.wins === this.failOn) throw new Error(`cannot count ${this.failOn}`);
    const guildId = String(event.metadata.guildId);
    const counts = session.forGuild(guildId).collection<WinCountDocument>('win_counts');
    const current = (await counts.get(String(event.metadata.userId))) ?? { id: String(event.metadata.userId), wins: 0, events: 0 };
    await counts.upsert({ ...current, wins: current.wins + Number(event.data.wins), events: current.events + 1 });
  }
}

export const win = (guildId: string, userId: string, wins: number): NewEvent =>
  testEvent('WinRecorded', { wins }, { guildId, userId, occurredAt: '2026-03-01T12:00:00.000Z' });

export function winCountOf(store: ReadStore, guildId: string, userId: string): Promise<WinCountDocument | null> {
  return store.forGuild(guildId).collection<WinCountDocument>('win_counts').get(userId);
}
