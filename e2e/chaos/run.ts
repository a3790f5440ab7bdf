import { testS3 } from '@reggie/testing';
import { type RunningSystem, startSystem } from '../src/index.ts';
import { type AuditRow, audit, formatTable, settle } from './audit.ts';
import { type PrivateServer, sleep, startPrivateNats, startPrivatePostgres } from './servers.ts';
import { burst, castOf, createClient, type Ledger, markSource } from './workload.ts';

export type Fault = 'nats restart' | 'service SIGKILL' | 'postgres restart';

export interface ChaosOptions {
  tag: string;
  faults: Fault[];
  /** Writes sent around each fault; the fault strikes when 30 % of them are sent. */
  operationsPerFault: number;
  workers?: number;
  /** How long a burst may take, and how long events may take to settle after it. */
  burstMs?: number;
  settleMs?: number;
  /** How long NATS and PostgreSQL stay down when they are restarted. */
  natsDownMs?: number;
  postgresDownMs?: number;
}

export interface ChaosResult {
  rows: AuditRow[];
  table: string;
}

/**
 * Runs profiles, plates, claims and the gateway against a NATS server and a PostgreSQL
 * cluster of the run's own, sends bursts of offer and claim writes through the gateway,
 * strikes each fault in the middle of a burst, then lets the system settle and audits it.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const nats = await startPrivateNats();
    cleanups.push(() => nats.stop());
    const postgres = await startPrivatePostgres();
    cleanups.push(() => postgres.stop());

    const cast = castOf(options.tag);
    const prefix = `chaos${options.tag}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    const system = await startSystem({
      bus: { databaseUrl: postgres.url, natsUrl: nats.url, busPrefix: prefix },
      services: ['profiles', 'plates', 'claims'],
      env: { profiles: { ADMIN_CLERK_IDS: cast.admin } },
    });
    cleanups.push(() => system.stop());

    const ledger: Ledger = { ops: [], phase: '' };
    const client = createClient({ gateways: () => [system.url], token: system.token, ledger });
    const nextMark = markSource();
    const rows: AuditRow[] = [];

    for (const fault of options.faults) {
      ledger.phase = fault;
      const sending = burst(client, ledger, {
        cast,
        nextMark,
        operations: options.operationsPerFault,
        workers: options.workers ?? 6,
        deadlineMs: options.burstMs ?? 180_000,
      });
      await untilSent(ledger, fault, Math.floor(options.operationsPerFault * 0.3), 60_000);
      const heard = system.processes.map((p) => p.output.length);
      await strike(fault, options, { nats, postgres, system });
      await sending;
      const warnings = system.processes
        .flatMap((p, i) => p.output.slice(heard[i] ?? 0))
        .filter((line) => /"level":(4|5|6)0/.test(line)).length;

      await settle(postgres.url, options.settleMs ?? 90_000);
      rows.push({
        ...(await audit(fault, {
          databaseUrl: postgres.url,
          natsUrl: nats.url,
          prefix,
          ledger,
          s3: testS3(),
          metricsPorts: await liveMetricsPorts(system),
        })),
        warnings,
      });
      console.log(`chaos ${options.tag}, after ${fault}:\n${formatTable(rows)}`);
    }
    return { rows, table: formatTable(rows) };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

async function strike(
  fault: Fault,
  options: ChaosOptions,
  on: { nats: PrivateServer; postgres: PrivateServer; system: RunningSystem },
) {
  switch (fault) {
    case 'nats restart':
      return on.nats.restart(options.natsDownMs ?? 2_000);
    case 'postgres restart':
      return on.postgres.restart(options.postgresDownMs ?? 3_000);
    case 'service SIGKILL':
      await killAndRestart(on.system, 'plates');
      await killAndRestart(on.system, 'claims');
      return;
  }
}

async function killAndRestart(system: RunningSystem, name: 'plates' | 'claims') {
  const live = system.processes.filter((p) => p.name === name && isRunning(p.child));
  for (const proc of live) await proc.stop('SIGKILL');
  await sleep(1_000);
  await system.startReplica(name);
}

async function untilSent(ledger: Ledger, phase: string, count: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && ledger.ops.filter((o) => o.phase === phase).length < count) {
    await sleep(100);
  }
}

/** The /metrics ports of the service processes still running. */
export async function liveMetricsPorts(system: RunningSystem): Promise<number[]> {
  const live = system.processes.filter((p) => p.name !== 'gateway' && isRunning(p.child));
  const lines = await Promise.all(
    live.map((p) => p.waitForLog((l) => l.msg === 'service ready', 5_000)),
  );
  return lines.map((l) => l.httpPort as number);
}

function isRunning(child: { exitCode: number | null; signalCode: string | null }): boolean {
  return child.exitCode === null && child.signalCode === null;
}
