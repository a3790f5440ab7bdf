import { type ChildProcess, spawn } from 'node:child_process';
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

/** Starts `services/<name>/src/main.ts` as a real process, the way production runs it. */
export function startProcess(name: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
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
