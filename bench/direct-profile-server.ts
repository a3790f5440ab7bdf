import Fastify from 'fastify';
import pg from 'pg';

/**
 * The baseline of the GET /me benchmark: one fastify route doing the read that the profiles
 * service does for `profiles.get`, straight from a pg pool, with no token, no gateway and
 * no NATS. It runs as a process of its own, like the services it is compared with.
 */

const COLUMNS = 'id, clerk_id, role, display_name, created_at, updated_at';

interface ProfileRow {
  id: string;
  clerk_id: string;
  role: string;
  display_name: string | null;
  created_at: Date;
  updated_at: Date;
}

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  // The pool size the profiles service gets by default (DB_POOL_SIZE).
  max: 10,
  options: '-c search_path=profiles,public',
});
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/profiles/:id', async (req, reply) => {
  const { rows } = await pool.query<ProfileRow>(`select ${COLUMNS} from profiles where id = $1`, [
    req.params.id,
  ]);
  const row = rows[0];
  if (!row) return reply.code(404).send({ code: 'not_found' });
  return {
    id: row.id,
    clerkId: row.clerk_id,
    role: row.role,
    displayName: row.display_name,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ msg: 'direct listening', url: address }));

process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
