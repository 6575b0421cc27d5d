import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@herald/core';
import { HeraldModule } from '../../herald/src/herald.module';

/**
 * Runs `work` inside Herald's own module graph on the configured stores (the same
 * `HERALD_DATA_DIR` the server uses, also while it runs), then closes the stores.
 */
export async function withHerald<T>(work: (herald: INestApplicationContext) => Promise<T>): Promise<T> {
  // Operators read the command's output; Herald's own logs stay quiet unless LOG_LEVEL asks for more.
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const herald = await NestFactory.createApplicationContext(HeraldModule.forRoot({ config, role: 'cli' }), {
    bufferLogs: true,
  });
  herald.useLogger(herald.get(Logger));
  try {
    return await work(herald);
  } finally {
    await herald.close();
  }
}
