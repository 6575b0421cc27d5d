// Route decorators first: libs that this one depends on import them back (observability's `Public`).
export * from './auth/auth.decorators';
export * from './auth/caller';
export * from './auth/own-user';
export * from './domain/ids';
export * from './domain/scopes';
export * from './domain/events';
export * from './domain/api-token';
export * from './domain/api-tokens.decider';
export * from './commands/token.service';
export * from './projections/api-tokens.projection';
export * from './projections/api-tokens.read-model';
export * from './auth/auth.guard';
export * from './http/params.dto';
export * from './http/identity.responses';
export * from './http/issue-token.dto';
export * from './http/identity.controller';
export * from './identity.module';
