import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { HERALD_CONFIG, type HeraldConfig } from '../config';
import { KEY_STORE, type KeyStore } from './key-store.port';
import { loadOrCreateMasterKey } from './master-key';
import { createMongoKeyStore } from './mongo-key-store';
import { SECRET_BOX, SecretBox } from './secret-box';
import { createSqliteKeyStore } from './sqlite-key-store';

export const KEYS_SQLITE_FILE = 'keys.sqlite';

/**
 * Where data keys live: with the read models' kind (a SQLite file in the data dir, or MongoDB),
 * always apart from the event log. The Mongo database is `<prefix>-secret-keys`, a name the read
 * store's scope databases never take, so dropping read models never drops keys.
 */
export function openKeyStore(config: HeraldConfig): KeyStore {
  if (config.readStore.kind === 'mongo') {
    return createMongoKeyStore({
      url: config.readStore.url,
      databaseName: `${config.readStore.databasePrefix}-secret-keys`,
    });
  }
  return createSqliteKeyStore({ path: join(config.dataDir, KEYS_SQLITE_FILE) });
}

/**
 * Provides `SECRET_BOX` (and `KEY_STORE`) globally. The master key is a secret, so it is read from
 * HERALD_MASTER_KEY in the environment rather than from the configuration.
 */
@Global()
@Module({
  providers: [
    { provide: KEY_STORE, inject: [HERALD_CONFIG], useFactory: openKeyStore },
    {
      provide: SECRET_BOX,
      inject: [HERALD_CONFIG, KEY_STORE],
      useFactory: (config: HeraldConfig, keys: KeyStore) =>
        new SecretBox(loadOrCreateMasterKey(config.dataDir, process.env.HERALD_MASTER_KEY), keys),
    },
  ],
  exports: [SECRET_BOX, KEY_STORE],
})
export class SecretBoxModule implements OnApplicationShutdown {
  constructor(@Inject(KEY_STORE) private readonly keys: KeyStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.keys.close();
  }
}
