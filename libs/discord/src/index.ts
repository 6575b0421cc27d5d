export * from './interaction-context';
export * from './message-text';
export * from './interaction-error.filter';
