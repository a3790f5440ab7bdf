import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote, for a failing test to show. */
  output: string[];
  /** Resolves with the first parsed log line that matches. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a service as a real process: `services/<name>/src/main.ts` through tsx, or with
 * `REGGIE_E2E_BUILT=1` the bundle `npm run build` wrote to `services/<name>/dist/main.mjs`,
 * which is what production runs.
 */
export function startProcess(name: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, entryArgs(name), {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters = new Set<(line: Record<string, unknown>) => void>();

  const onData = (chunk: Buffer) => {
    for (const text of chunk.toString().split('\n').filter(Boolean)) {
      output.push(text);
      const parsed = parseLine(text);
      if (parsed) for (const w of waiters) w(parsed);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  return {
    name,
    child,
    output,
    waitForLog: (match, timeoutMs = 60_000) =>
      waitFor(name, child, output, waiters, match, timeoutMs),
    stop: (signal = 'SIGTERM') => stopChild(child, signal),
  };
}

function entryArgs(name: string): string[] {
  const source = `services/${name}/src/main.ts`;
  if (process.env.REGGIE_E2E_BUILT !== '1') return ['--import', 'tsx', source];

  const bundle = `services/${name}/dist/main.mjs`;
  if (!existsSync(join(repoRoot, bundle))) {
    throw new Error(`REGGIE_E2E_BUILT=1 but ${bundle} does not exist: run \`npm run build\` first`);
  }
  // No --enable-source-maps: the run should match production, where it is off (memory).
  return [bundle];
}

function waitFor(
  name: string,
  child: ChildProcess,
  output: string[],
  waiters: Set<(line: Record<string, unknown>) => void>,
  match: (line: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, line?: Record<string, unknown>) => {
      clearTimeout(timer);
      waiters.delete(waiter);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(line as Record<string, unknown>);
    };
    const waiter = (line: Record<string, unknown>) => match(line) && done(null, line);
    const onExit = (code: number | null) =>
      done(new Error(`${name} exited (${code}):\n${output.slice(-30).join('\n')}`));
    const timer = setTimeout(
      () =>
        done(new Error(`${name} not ready in ${timeoutMs} ms:\n${output.slice(-30).join('\n')}`)),
      timeoutMs,
    );
    for (const text of output) {
      const parsed = parseLine(text);
      if (parsed && match(parsed)) return done(null, parsed);
    }
    waiters.add(waiter);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}

function parseLine(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
