import { join } from 'node:path';

/**
 * Tests that need separate processes (the CLI, a server to kill) run the build in dist/, which
 * `npm test` makes first and jest's global setup refreshes when a source is newer.
 */
export const ROOT = join(__dirname, '..', '..');
export const BUILT_SERVER = join(ROOT, 'dist', 'apps', 'herald', 'src', 'main.js');
export const BUILT_CLI = join(ROOT, 'dist', 'apps', 'herald-cli', 'src', 'main.js');
