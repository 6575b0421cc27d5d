export * from './test-event';
