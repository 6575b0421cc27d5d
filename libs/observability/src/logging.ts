import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Params } from 'nestjs-pino';
import pino from 'pino';

const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTED_CORRELATION_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Herald's root logger, for `HeraldModule` to hand to `requestLogging`. */
export const HERALD_LOGGER = Symbol('HERALD_LOGGER');

/** The correlation id of the request being handled, for every line logged meanwhile. */
const requestContext = new AsyncLocalStorage<{ correlationId: string }>();

/** pino `mixin`: a line logged while a request is handled carries its `correlationId`. */
export function correlationMixin(): { correlationId?: string } {
  const context = requestContext.getStore();
  return context === undefined ? {} : { correlationId: context.correlationId };
}

/** JSON lines through pino. The CLI keeps stdout for its output, so its logs go to stderr. */
export function createHeraldLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout'): pino.Logger {
  return pino({ level, mixin: correlationMixin }, pino.destination(destination === 'stdout' ? 1 : 2));
}

/**
 * nestjs-pino on Herald's logger, for Nest's own logging. It does not log requests (`forRoutes: []`):
 * `requestLogging` does, because pino-http's two child loggers and listeners per request cost a
 * heartbeat about a third of its CPU (bench g).
 */
export function loggingParams(logger: pino.Logger): Params {
  return { pinoHttp: { logger }, forRoutes: [] };
}

/**
 * Express middleware, first in line: one correlation id per request (taken from `X-Correlation-Id`
 * when the caller sends a sane one, else generated) as `req.id`, echoed in the response and put on
 * every line logged while the request is handled; once the response is done, one line for it (not
 * for `/metrics` and `/health`) naming the method and path only, since a query string can carry a
 * WebSocket token, and no headers, which carry credentials.
 */
export function requestLogging(logger: pino.Logger) {
  return (request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next: () => void): void => {
    const sent = request.headers[CORRELATION_HEADER];
    const correlationId = typeof sent === 'string' && ACCEPTED_CORRELATION_ID.test(sent) ? sent : randomUUID();
    request.id = correlationId;
    response.setHeader('X-Correlation-Id', correlationId);
    const url = request.originalUrl ?? request.url ?? '';
    if (logger.isLevelEnabled('info') && url !== '/metrics' && !url.startsWith('/health')) {
      const startedAt = performance.now();
      response.once('close', () => {
        const line = {
          correlationId,
          req: { id: correlationId, method: request.method, url: url.split('?')[0] },
          res: { statusCode: response.statusCode },
          responseTime: Math.round(performance.now() - startedAt),
        };
        if (!response.writableFinished) logger.warn(line, 'request aborted');
        else if (response.statusCode >= 500) logger.error(line, 'request errored');
        else logger.info(line, 'request completed');
      });
    }
    requestContext.run({ correlationId }, next);
  };
}
