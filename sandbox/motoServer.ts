import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from './freePort.js';

export interface MotoServer {
  endpoint: string;
  port: number;
  /** The moto_server process (for a benchmark's CPU accounting). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export class MotoNotInstalledError extends Error {
  constructor() {
    super('moto_server is not on PATH. Install it with: pip install "moto[server]"');
    this.name = 'MotoNotInstalledError';
  }
}

export function motoInstalled(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

export interface MotoServerOptions {
  timeoutMs?: number;
  /** Runs this Python script (which must start moto's server with the arguments it gets) instead of `moto_server`. */
  launcher?: string;
}

/** Starts moto_server (AWS emulator) on a free loopback port and waits until it answers. */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  if (!motoInstalled()) throw new MotoNotInstalledError();
  const port = await freePort();
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const child = spawn(options.launcher ? 'python3' : 'moto_server', options.launcher ? [options.launcher, ...args] : args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const watchdog = outliveGuard(child.pid);
  child.once('exit', () => watchdog?.kill());
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early (${child.exitCode}): ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return { endpoint, port, pid: child.pid, stop: () => stopChild(child) };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopChild(child);
  throw new Error(`moto_server did not answer on ${endpoint} in time: ${stderr}`);
}

/**
 * moto_server must not outlive us, even when we are SIGKILLed and cannot clean up: a detached shell
 * polls our pid and stops moto once we are gone. It holds nothing of ours open, so it never keeps
 * this process alive.
 */
function outliveGuard(motoPid: number | undefined): ChildProcess | undefined {
  if (!motoPid) return undefined;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill ${motoPid} 2>/dev/null`;
  const guard = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
  guard.unref();
  return guard;
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
