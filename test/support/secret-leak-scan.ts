import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteEventStore } from '@herald/eventstore';
import type { HeraldProcess } from './herald-process';

/**
 * Everything a finished Herald run left where a secret could leak: its output, every event of its
 * log, every file of its data directory, and the API responses the test kept.
 */
export interface HeraldRunTraces {
  logs: string;
  logLines: string[];
  eventTexts: string[];
  dataFiles: Array<{ name: string; bytes: Buffer }>;
  responses: string[];
}

/** An API response as one searchable text: status, headers and body. */
export function wholeResponseText(response: Response, body: string): string {
  return `${response.status} ${JSON.stringify([...response.headers])} ${body}`;
}

/** Stops the Herald (SIGTERM, expecting a clean exit) and reads back all it wrote to `dataDir`. */
export async function stopAndCollectTraces(herald: HeraldProcess, dataDir: string, responses: string[]): Promise<HeraldRunTraces> {
  herald.child.kill('SIGTERM');
  expect(await herald.exited).toBe(0);

  const logs = herald.output();
  const logLines = logs.split('\n').filter((line) => line.trim() !== '');
  const events = createSqliteEventStore({ path: join(dataDir, 'events.sqlite') });
  const eventTexts: string[] = [];
  try {
    for await (const page of events.scanAll()) for (const event of page) eventTexts.push(JSON.stringify(event));
  } finally {
    await events.close();
  }
  const dataFiles = readdirSync(dataDir).map((name) => ({ name, bytes: readFileSync(join(dataDir, name)) }));
  return { logs, logLines, eventTexts, dataFiles, responses };
}

/** Expects that no secret stands in any log line, event, API response or data file of the run. */
export function expectNoSecretIn(traces: HeraldRunTraces, secrets: string[]): void {
  for (const secret of secrets) {
    for (const line of traces.logLines) expect(line).not.toContain(secret);
    for (const text of traces.eventTexts) expect(text).not.toContain(secret);
    for (const response of traces.responses) expect(response).not.toContain(secret);
    for (const { name, bytes } of traces.dataFiles) expect({ name, found: bytes.includes(secret) }).toEqual({ name, found: false });
  }
}
