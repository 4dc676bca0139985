import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Every emulator that runs as a child process is started through a small watchdog process. The
 * watchdog polls its parent: when the test runner dies in any way (a crash, SIGKILL, a CI
 * timeout), the watchdog kills the emulator, so no emulator outlives the run. `stop()` ends it
 * normally: SIGTERM, then SIGKILL after a grace period (kinesis-mock may ignore SIGTERM).
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const [parentPid, graceMs, command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: 'inherit', env: process.env });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), Number(graceMs)).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {
  try { process.kill(Number(parentPid), 0); } catch { stop(); }
}, 250).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on('error', (error) => { console.error(String(error)); process.exit(127); });
`;

/** A child process started by {@link spawnManaged}. */
export interface ManagedProcess {
  readonly name: string;
  /** The watchdog's pid; the emulator runs in its process group. */
  readonly pid: number;
  /** Resolves with the exit code when the process has ended. */
  readonly exited: Promise<number | null>;
  /** The last lines the process printed, for error messages. */
  output(): string;
  /** Ends the process (SIGTERM, SIGKILL after the grace period) and waits for it. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
};

const installExitHook = () => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Runs on every normal exit, also after a failing test run; hard kills are the watchdog's job.
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
};

/** Options of {@link spawnManaged}. */
export interface SpawnOptions {
  readonly name: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** How long `stop()` waits after SIGTERM before SIGKILL (default 3 s). */
  readonly graceMs?: number;
}

const MAX_OUTPUT = 8_000;

/** Starts `command` under a watchdog in its own process group and tracks it until it ends. */
export const spawnManaged = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ManagedProcess => {
  installExitHook();
  const graceMs = options.graceMs ?? 3_000;
  const child = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(process.pid), String(graceMs), command, ...args],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid === undefined) throw new Error(`${options.name}: could not start ${command}`);
  live.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  // The test runner must not wait for emulators to exit on its own.
  child.unref();
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();
  const pid = child.pid;
  return {
    name: options.name,
    pid,
    exited,
    output: () => output,
    stop: async () => {
      if (!live.has(child)) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs + 1_000);
      await exited;
      clearTimeout(timer);
      // Anything the emulator forked itself dies with the group.
      killGroup(child, 'SIGKILL');
    },
  };
};

/**
 * Pids of the managed processes still running (tests check that `stop()` ended them all).
 *
 * @example
 * ```ts
 * const aws = await startLocalAws({ kinesis: 'kinesis-mock' });
 * await aws.stop();
 * expect(liveProcessIds()).toEqual([]);
 * ```
 */
export const liveProcessIds = (): number[] =>
  [...live].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
