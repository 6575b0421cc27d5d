export * from './aes-gcm';
export * from './errors';
export * from './key-store.port';
export * from './master-key';
export * from './mongo-key-store';
export * from './secret-box';
export * from './secret-box.module';
export * from './sqlite-key-store';
