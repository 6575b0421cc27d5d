export * from './projection';
export * from './projection-runner';
export * from './read-model-digest';
export * from './projections.module';
export * from './batch-session';
export * from './background-rebuilds';
