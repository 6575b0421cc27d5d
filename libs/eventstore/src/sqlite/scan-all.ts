import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RecordedEvent } from '@herald/core';
import type { NormalizedFilter } from '../event-filter';
import { decodeRowPage } from './event-rows';
import type { ReadRange } from './read-all';
import type { ScanWorkerData } from './scan-worker';

export interface ScanSource {
  path: string;
  readRange: ReadRange;
  headPosition(): number | null;
}

export interface ScanRequest {
  afterPosition: number;
  filter: NormalizedFilter | undefined;
  pageSize: number;
  /** Scans over fewer positions than this stay on this thread: a worker costs tens of milliseconds to start. */
  readAheadFrom: number;
}

/** The compiled worker; running from TypeScript sources (tests) there is none, and scans stay on this thread. */
const WORKER_FILE = join(__dirname, 'scan-worker.js');
const READ_AHEAD_PAGES = 2;

export async function* scanAll(source: ScanSource, request: ScanRequest): AsyncGenerator<RecordedEvent[]> {
  const highest = source.headPosition();
  if (highest === null || highest <= request.afterPosition) return;
  const lowest = request.afterPosition + 1;
  const readAhead = source.path !== ':memory:' && highest - lowest + 1 >= request.readAheadFrom && existsSync(WORKER_FILE);
  if (readAhead) {
    yield* scanOnWorker({ path: source.path, lowest, highest, filter: request.filter, pageSize: request.pageSize, readAhead: READ_AHEAD_PAGES });
    return;
  }
  for (let low = lowest; low <= highest; ) {
    const page = source.readRange(low, highest, 'forwards', request.pageSize, request.filter);
    if (page.length > 0) yield page;
    if (page.length < request.pageSize) return;
    low = page[page.length - 1].position + 1;
  }
}

async function* scanOnWorker(data: ScanWorkerData): AsyncGenerator<RecordedEvent[]> {
  // A small heap: the worker holds a page or two at a time, and the scan's memory is the process's.
  const worker = new Worker(WORKER_FILE, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 } });
  const arrived: Array<Uint8Array | null> = [];
  const decoder = new TextDecoder();
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (page: Uint8Array | null) => {
    arrived.push(page);
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  worker.on('exit', (code) => {
    if (code !== 0) failure ??= new Error(`the scan worker stopped with exit code ${code}`);
    wake?.();
  });
  try {
    for (;;) {
      while (arrived.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const page = arrived.shift();
      if (page === undefined) throw failure;
      if (page === null) return;
      worker.postMessage('more');
      yield decodeRowPage(decoder.decode(page));
    }
  } finally {
    await worker.terminate();
  }
}
