import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { correlationMixin, requestLogging } from './logging';

/** A server behind `requestLogging` whose handler logs a line of its own, and the lines written. */
function loggedServer(level = 'info'): { server: Server; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level, mixin: correlationMixin }, sink);
  const middleware = requestLogging(logger);
  const server = createServer((req, res) =>
    middleware(req, res, () => {
      setImmediate(() => {
        logger.info('handling');
        res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
        res.end('{}');
      });
    }),
  );
  return { server, lines };
}

describe('requestLogging', () => {
  it('echoes a sane correlation id, makes one up otherwise, and logs one line per request with the path only', async () => {
    const { server, lines } = loggedServer();
    const given = await request(server).get('/api/v1/things?token=hrld_secret').set('X-Correlation-Id', 'trace-1234567890');
    const invented = await request(server).get('/api/v1/things').set('X-Correlation-Id', 'no good');

    expect(given.headers['x-correlation-id']).toBe('trace-1234567890');
    expect(invented.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setImmediate(resolve));
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({
        level: 30,
        correlationId: 'trace-1234567890',
        req: { id: 'trace-1234567890', method: 'GET', url: '/api/v1/things' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
      expect.objectContaining({ correlationId: invented.headers['x-correlation-id'] }),
    ]);
    expect(lines.find((line) => line.msg === 'handling')).toMatchObject({ correlationId: 'trace-1234567890' });
    expect(JSON.stringify(lines)).not.toContain('hrld_secret');
  });

  it('logs a server error at error level, and nothing for /health and /metrics', async () => {
    const { server, lines } = loggedServer();
    await request(server).get('/fail');
    await request(server).get('/health/ready');
    await request(server).get('/metrics');
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines.filter((line) => typeof line.req === 'object')).toEqual([
      expect.objectContaining({ level: 50, msg: 'request errored', res: { statusCode: 500 } }),
    ]);
  });

  it('logs no request lines above info, and still sets the correlation id', async () => {
    const { server, lines } = loggedServer('warn');
    const response = await request(server).get('/api/v1/things');
    expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toEqual([]);
  });
});
