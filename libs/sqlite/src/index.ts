export * from './background-checkpoints';
