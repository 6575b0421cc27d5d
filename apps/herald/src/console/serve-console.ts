import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType } from '@herald/core';

/** Where the server's own endpoints live: never a console page. */
const SERVER_PATHS = ['/api', '/auth', '/health', '/metrics', '/ws', '/docs'];

/** The console talks only to Herald (REST and /ws) and shows Discord avatars; no page may frame it. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https://cdn.discordapp.com; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/** index.html and the unhashed files beside it are checked on every load, so a new build shows at once. */
const REVALIDATED = { ...CONSOLE_SECURITY_HEADERS, 'Cache-Control': 'no-cache' };

/**
 * Serves the built web console (`vite build` into `webDir`) at `/`: hashed bundles under `/assets/`
 * cached for a year, and `index.html` for every page navigation (a GET accepting text/html outside
 * the server's own paths), so the console's history-mode routes load from any URL. Without a
 * build the console's pages answer 404 problem+json saying so, and the rest of Herald runs as usual.
 */
export function serveConsole(app: NestExpressApplication, webDir: string): void {
  const indexHtml = join(webDir, 'index.html');
  if (!existsSync(indexHtml)) {
    new Logger('Console').warn(`the web console is not built (no ${indexHtml}): npm run build builds it`);
    app.use(consoleNotBuilt);
    return;
  }
  app.useStaticAssets(join(webDir, 'assets'), {
    prefix: '/assets/',
    index: false,
    immutable: true,
    maxAge: '365d',
    setHeaders: (response: Response) => response.set(CONSOLE_SECURITY_HEADERS),
  });
  const files = new Set(
    readdirSync(webDir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name !== 'index.html')
      .map((entry) => `/${entry.name}`),
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (files.has(request.path)) return response.sendFile(join(webDir, request.path), { headers: REVALIDATED });
    // `/` is the console whatever the client accepts (`curl localhost:3000` should show it too).
    if (request.path === '/' || isConsolePage(request)) return response.sendFile(indexHtml, { headers: REVALIDATED });
    next();
  });
}

function isConsolePage(request: Request): boolean {
  const path = request.path;
  return /\btext\/html\b/.test(request.headers.accept ?? '') && !SERVER_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function consoleNotBuilt(request: Request, response: Response, next: NextFunction): void {
  const isRead = request.method === 'GET' || request.method === 'HEAD';
  if (!isRead || (request.path !== '/' && !isConsolePage(request))) return next();
  const problem: ProblemDetails = {
    type: problemType('CONSOLE.NOT_BUILT'),
    title: 'Not found',
    status: 404,
    detail: 'The web console is not built on this server (npm run build builds it). The REST API is under /api/v1.',
  };
  response.status(404).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
