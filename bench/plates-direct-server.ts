import Fastify from 'fastify';
import pg from 'pg';

/**
 * The baseline of the plates benchmark: one fastify route doing the read the plates service
 * does for `plates.get` (the mark's market summary, and its plate and listing, in one
 * statement), straight from a pg pool, with no gateway and no NATS. It runs as a process of
 * its own, like the services it is compared with, and gets the pool size the plates service
 * gets by default.
 */

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: 10,
  options: '-c search_path=plates,public',
});
const app = Fastify({ logger: false });

app.get<{ Params: { registration: string } }>('/plates/:registration', async (req, reply) => {
  const registration = req.params.registration.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const { rows } = await pool.query(
    `select m.*, p.registration, p.display, p.style, p.holder_profile_id, l.status,
            l.asking_price, l.listed_at, l.updated_at
       from (select count(*) as active_listings, count(price_pence) as priced_listings,
                    min(price_pence) as lowest, max(price_pence) as highest,
                    round((percentile_cont(0.5) within group (order by price_pence))::numeric)
                      as median
               from market_prices where registration = $1 and active) m
       left join (plates p left join listings l on l.plate_id = p.id)
         on p.registration = $1`,
    [registration],
  );
  const row = rows[0];
  if (!row?.registration) return reply.code(404).send({ code: 'not_found' });
  return {
    registration: row.registration,
    display: row.display,
    style: row.style,
    held: row.holder_profile_id !== null,
    heldByYou: false,
    listing: row.status === 'active' ? { askingPrice: Number(row.asking_price) } : null,
    market: {
      activeListings: Number(row.active_listings),
      pricedListings: Number(row.priced_listings),
      lowest: row.lowest === null ? null : Number(row.lowest),
      median: row.median === null ? null : Number(row.median),
      highest: row.highest === null ? null : Number(row.highest),
    },
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
