export * from './audit-entry';
export * from './guild-state';
export * from './audit.service';
export * from './audit.module';
