import 'reflect-metadata';
import { loadConfig } from '@herald/core';
import { createHeraldApp } from './create-herald-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createHeraldApp(config);
  await app.listen(config.port);
}

main().catch((error: unknown) => {
  // Before the logger exists there is only stderr; the message never holds a secret value.
  process.stderr.write(`Herald could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
