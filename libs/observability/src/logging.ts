import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';

const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTED_CORRELATION_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * pino-http settings: JSON logs, one correlation id per request (taken from `X-Correlation-Id` when
 * the caller sends a sane one, else generated) echoed in the response, and credentials redacted.
 */
export function loggingParams(level: string, destination: 'stdout' | 'stderr' = 'stdout'): Params {
  return {
    pinoHttp: [
      {
      level,
      genReqId(req: IncomingMessage, res: ServerResponse) {
        const sent = req.headers[CORRELATION_HEADER];
        const id = typeof sent === 'string' && ACCEPTED_CORRELATION_ID.test(sent) ? sent : randomUUID();
        res.setHeader('X-Correlation-Id', id);
        return id;
      },
      customProps: (req: IncomingMessage) => ({ correlationId: (req as IncomingMessage & { id?: unknown }).id }),
      redact: {
        // A redirect's Location can carry OAuth state and codes.
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'res.headers.location', 'req.query.token'],
        censor: '[redacted]',
      },
      serializers: {
        // The query string may hold a WebSocket token: log the path only.
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
        }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/metrics' || req.url?.startsWith('/health') === true },
      },
      // The CLI keeps stdout for its output, so its logs go to stderr.
      pino.destination(destination === 'stdout' ? 1 : 2),
    ],
  };
}
