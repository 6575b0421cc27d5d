import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..');
const REGISTER_TS = join(ROOT, 'test/support/register-ts.js');

export interface TestWorker {
  child: ChildProcessWithoutNullStreams;
  /** The lines it printed besides `ready`, once it exited with 0; rejects with its stderr otherwise. */
  output: Promise<string[]>;
}

export interface WorkerSandbox {
  /** A path in the sandbox's temporary directory, for the workers' files. */
  file(name: string): string;
  /** Starts a worker script (path from the repository root); resolves once it printed `ready`. */
  start(script: string, args: string[], name: string): Promise<TestWorker>;
}

/**
 * For a test file whose tests start worker processes (call it at the top level or in a `describe`):
 * a temporary directory for their files, made before the tests and removed after them, and a way to
 * start workers; a worker a failed test left running is killed after the tests.
 */
export function workerSandbox(prefix: string): WorkerSandbox {
  const started: ChildProcessWithoutNullStreams[] = [];
  let directory = '';
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });
  return {
    file: (name) => join(directory, name),
    start: (script, args, name) => startTestWorker(script, args, name, started),
  };
}

/** Runs a TypeScript worker script in a process of its own, through the tests' TypeScript hook. */
async function startTestWorker(script: string, args: string[], name: string, started: ChildProcessWithoutNullStreams[]): Promise<TestWorker> {
  const child = spawn(process.execPath, ['--require', REGISTER_TS, join(ROOT, script), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines: string[] = [];
  const lineReader = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => lineReader.on('line', (line) => (line === 'ready' ? resolve() : lines.push(line))));
  const output = new Promise<string[]>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`${name} exited with ${code}: ${stderr}`)))),
  );
  output.catch(() => undefined); // awaited by the test; keeps an early failure from going unhandled
  await Promise.race([ready, output]);
  return { child, output };
}
