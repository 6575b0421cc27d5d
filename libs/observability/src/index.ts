export * from './herald-metrics';
export * from './instrumented-event-store';
export * from './metrics.controller';
export * from './logging';
