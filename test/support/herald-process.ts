import { spawn, type ChildProcess } from 'node:child_process';
import { BUILT_SERVER, ROOT } from './built-herald';
import { freePort } from './free-port';

/** A Herald server in its own process (the build), so a test can kill it for real. */
export interface HeraldProcess {
  child: ChildProcess;
  baseUrl: string;
  /** stdout + stderr so far, for failure messages. */
  output(): string;
  exited: Promise<number | null>;
}

export async function spawnHerald(env: Record<string, string>): Promise<HeraldProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BUILT_SERVER], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const herald = { child, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited };
  await waitUntilReady(herald);
  return herald;
}

export async function waitUntilReady(herald: HeraldProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (herald.child.exitCode !== null) throw new Error(`Herald exited with ${herald.child.exitCode}:\n${herald.output()}`);
    try {
      const response = await fetch(`${herald.baseUrl}/health/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Herald was not ready within ${timeoutMs} ms:\n${herald.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
