export * from './errors';
export * from './retry-policy';
export * from './http-client';
export * from './http-client.factory';
export * from './http-client.module';
