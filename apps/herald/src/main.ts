import 'reflect-metadata';
import { loadConfig } from '@herald/core';
import { createHeraldApp } from './create-herald-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createHeraldApp(config);
  await app.listen(config.port);
  // Drain on SIGTERM/SIGINT: stop taking requests, finish those in flight, let the projection batch
  // in flight commit with its checkpoint, close the stores, then exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`Herald did not shut down cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  // Before the logger exists there is only stderr; the message never holds a secret value.
  process.stderr.write(`Herald could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
