import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { commandsOf } from '@reggie/contracts';
import { busTablesMigration, type Database, openDatabase, queryRows } from '@reggie/db';
import { type CommandHandlers, ServiceError } from '../src/index.ts';

/**
 * A database handle on `schema` holding only the bus tables (outbox, inbox), migrated.
 * Each test file uses a schema of its own inside the run's database.
 */
export async function openBusDatabase(url: string, schema: string): Promise<Database> {
  const db = await openDatabase({ url, schema, migrations: [busTablesMigration], poolSize: 4 });
  await db.migrate();
  return db;
}

/** Every message now in `stream`, in stream order. Test streams are small. */
export async function readStream(jsm: JetStreamManager, stream: string): Promise<StoredMsg[]> {
  const info = await jsm.streams.info(stream);
  const messages: StoredMsg[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && seq > 0; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq });
    if (msg) messages.push(msg);
  }
  return messages;
}

/** The envelope id of a stored event, or undefined when its body is not an envelope. */
export function envelopeId(msg: StoredMsg): string | undefined {
  try {
    return msg.json<{ id?: string }>().id;
  } catch {
    return undefined;
  }
}

export async function count(db: Database, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await queryRows<{ n: number }>(db.em(), sql, params);
  return rows[0]?.n ?? 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A full handler map for the profiles commands: the ones a test gives, and for every other
 * command one that answers not_found, so a command added to the contracts breaks no test.
 */
export function profilesHandlers(
  own: Partial<CommandHandlers<'profiles'>>,
): CommandHandlers<'profiles'> {
  const unused = async (): Promise<never> => {
    throw new ServiceError('not_found', 'not used in this test');
  };
  const all = Object.fromEntries(commandsOf('profiles').map((name) => [name, unused]));
  return { ...all, ...own } as CommandHandlers<'profiles'>;
}
