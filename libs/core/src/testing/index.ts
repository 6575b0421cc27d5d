export * from './test-event';
export * from './wait-for';
