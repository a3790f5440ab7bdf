import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, serviceEnv, testBus } from '@reggie/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startProcess, startSystem } from '../src/index.ts';

const NATS_SERVER = '/usr/sbin/nats-server';
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A NATS server of this test's own, so restarting it disturbs nobody else. */
function startNats(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const probe = () => {
      const socket = netConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(child);
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error('nats-server did not start'));
        else setTimeout(probe, 100);
      });
    };
    probe();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('resilience', () => {
  it('a service whose database is down at start-up retries, backs off, says why', async () => {
    const bus = testBus('pgdown');
    const env = {
      ...serviceEnv(bus),
      LOG_LEVEL: 'info',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
    };
    const proc = startProcess('profiles', env);
    cleanups.push(() => proc.stop('SIGKILL').then(() => undefined));

    const first = await proc.waitForLog(
      (l) => l.msg === 'postgresql unavailable, retrying',
      30_000,
    );
    const second = await proc.waitForLog(
      (l) => l.msg === 'postgresql unavailable, retrying' && l.attempt === 2,
      30_000,
    );
    expect(first.err).toBeTruthy();
    expect(second.delayMs as number).toBeGreaterThan(first.delayMs as number);
    expect(proc.child.exitCode).toBeNull();
  });

  it.skipIf(!existsSync(NATS_SERVER))(
    'the gateway and services reconnect by themselves when NATS restarts',
    async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'reggie-nats-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      let nats = await startNats(port, dir);
      cleanups.push(() => stopChild(nats));

      const bus = { ...testBus('natsrestart'), natsUrl: `nats://127.0.0.1:${port}` };
      const system = await startSystem({ bus, services: ['profiles'] });
      cleanups.push(() => system.stop());
      expect((await system.request('/me', { as: 'user_before_restart' })).status).toBe(200);

      await stopChild(nats);
      nats = await startNats(port, dir);
      cleanups.push(() => stopChild(nats));

      const deadline = Date.now() + 30_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = (await system.request('/me', { as: 'user_after_restart' })).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      expect(system.processes.every((p) => p.child.exitCode === null)).toBe(true);
    },
  );

  it.skipIf(!existsSync(NATS_SERVER))(
    'a service and a gateway started while NATS is down retry, say why, and serve once it is up',
    async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'reggie-nats-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const bus = { ...testBus('natslate'), natsUrl: `nats://127.0.0.1:${port}` };

      // The service starts first, with no NATS at all.
      const starting = startSystem({ bus, services: ['profiles'] });
      await new Promise((r) => setTimeout(r, 2_000));
      let nats = await startNats(port, dir);
      cleanups.push(() => stopChild(nats));
      const system = await starting;
      cleanups.push(() => system.stop());
      const profiles = system.processes.find((p) => p.name === 'profiles');
      expect(profiles?.output.join('\n')).toContain('nats unreachable, retrying');

      // Then a gateway replica starts during an outage.
      await stopChild(nats);
      const replica = system.startReplica('gateway');
      await new Promise((r) => setTimeout(r, 2_000));
      nats = await startNats(port, dir);
      cleanups.push(() => stopChild(nats));
      const gateway = await replica;
      expect(gateway.output.join('\n')).toContain('nats unreachable, retrying');

      const listening = await gateway.waitForLog((l) => l.msg === 'gateway listening');
      const token = system.token('user_after_late_nats');
      const deadline = Date.now() + 30_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        const res = await fetch(`http://127.0.0.1:${listening.port as number}/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        status = res.status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    },
  );
});
