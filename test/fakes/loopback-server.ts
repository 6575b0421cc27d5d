import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Plumbing shared by the fake upstream servers: loopback listening, bodies, and a shutdown that never waits on a client. */

/** Listens on 127.0.0.1 with a free port and resolves to the base URL, e.g. `http://127.0.0.1:54321`. */
export function listenOnLoopback(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

/** Closes the server and destroys every open connection, hung or kept alive, so tests never wait on a client. Idempotent. */
export function closeNow(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

export function send(response: ServerResponse, { status, headers, body }: FakeResponse): void {
  response.writeHead(status, body === '' ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  response.end(body);
}

/** Requests as a fake logs them, for `countRequests`. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** How many logged requests match every criterion given (a path is exact, or a pattern). */
export function countRequests(
  requests: readonly LoggedRequest[],
  filter: { method?: string; path?: string | RegExp; status?: number } = {},
): number {
  const { method, path, status } = filter;
  return requests.filter(
    (request) =>
      (method === undefined || request.method === method) &&
      (path === undefined || (typeof path === 'string' ? request.path === path : path.test(request.path))) &&
      (status === undefined || request.status === status),
  ).length;
}
