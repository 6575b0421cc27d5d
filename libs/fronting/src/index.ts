export * from './domain/events';
export * from './domain/fronter-set';
export * from './domain/tokens';
export * from './domain/coalescing';
export * from './domain/system.decider';
