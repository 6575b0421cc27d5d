import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { NormalizedFilter } from '../event-filter';
import { JSON_ROW_COLUMNS, joinJsonRows, type JsonRow } from './event-rows';
import { createReadRowRange } from './read-all';

/** What the scan hands its worker. */
export interface ScanWorkerData {
  path: string;
  lowest: number;
  highest: number;
  filter: NormalizedFilter | undefined;
  pageSize: number;
  /** Pages read before the reader asks for more. */
  readAhead: number;
}

/*
 * Reads pages of rows on its own connection and posts each as one JSON text, at most `readAhead`
 * pages ahead of the reader, then `null` at the end. Reading rows is most of a scan's cost, and here it runs on the
 * other core while the main thread parses and applies the previous page. The text goes as UTF-8 in a
 * transferred buffer, not as a string: V8 deserialises a message over 100 KB (a page is ~0.5 MB)
 * straight into the old generation, where the reader's dead pages piled up until a full GC (~30 MB
 * of the rebuild's peak RSS).
 */
const { path, lowest, highest, filter, pageSize, readAhead } = workerData as ScanWorkerData;
const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
const readRows = createReadRowRange<JsonRow>(db, JSON_ROW_COLUMNS);
let low = lowest;
let credits = readAhead;
let done = false;
const encoder = new TextEncoder();

function pump(): void {
  while (credits > 0 && !done) {
    const rows = readRows(low, highest, 'forwards', pageSize, filter);
    credits -= 1;
    if (rows.length > 0) {
      const page = encoder.encode(joinJsonRows(rows));
      parentPort!.postMessage(page, [page.buffer]);
      low = rows[rows.length - 1][0] + 1;
    }
    if (rows.length < pageSize) {
      done = true;
      db.close();
      parentPort!.postMessage(null);
    }
  }
}

parentPort!.on('message', () => {
  credits += 1;
  pump();
});
pump();
