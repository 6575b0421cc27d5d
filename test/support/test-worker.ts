import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..');
const REGISTER_TS = join(ROOT, 'test/support/register-ts.js');

export interface TestWorker {
  child: ChildProcessWithoutNullStreams;
  /** The lines it printed besides `ready`, once it exited with 0; rejects with its stderr otherwise. */
  output: Promise<string[]>;
}

/**
 * Runs a TypeScript worker script (path from the repository root) in a process of its own, through
 * the tests' TypeScript hook, and resolves once it printed `ready`. Started workers are added to
 * `started`, so an `afterAll` can kill those a failed test left running.
 */
export async function startTestWorker(script: string, args: string[], name: string, started: ChildProcessWithoutNullStreams[]): Promise<TestWorker> {
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
