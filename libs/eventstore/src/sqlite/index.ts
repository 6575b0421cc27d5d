export { createSqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
export type { RecentEventsLimits } from './recent-events';
export type { GroupCommitLimits } from './group-commit';
