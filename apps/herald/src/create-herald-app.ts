import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { HeraldConfig } from '@herald/core';
import { HERALD_LOGGER, requestLogging } from '@herald/observability';
import { HeraldModule } from './herald.module';
import { serveConsole } from './console/serve-console';
import { setUpOpenApi } from './openapi';

/** Builds the HTTP server (not yet listening); shared by `main.ts` and the end-to-end tests. */
export async function createHeraldApp(config: HeraldConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(HeraldModule.forRoot({ config, role: 'server' }), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.use(requestLogging(app.get(HERALD_LOGGER)));
  app.useBodyParser('json', { limit: config.maxBodyBytes, type: ['application/json', 'application/*+json'] });
  app.disable('x-powered-by');
  // API answers are live state, not cacheable documents: hashing every body for an ETag only cost
  // CPU. The console's files keep theirs (express.static and sendFile make their own).
  app.set('etag', false);
  serveConsole(app, config.web.dir);
  setUpOpenApi(app);
  return app;
}
