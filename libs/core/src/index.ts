export * from './event';
export * from './streams';
export * from './config';
