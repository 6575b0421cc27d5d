import type { EventSource } from './event';

/** Who runs a command and on whose behalf; becomes the metadata of the events it appends. */
export interface CommandContext {
  source: EventSource;
  actorId?: string;
  correlationId: string;
  causationId?: string;
  guildId?: string;
  userId?: string;
}
