import { type Database, execute } from '@reggie/db';

/**
 * Sign-in ids of the demo holders that `npm run dev` seeds. Their profile ids are the
 * holder ids the plates seed uses, so a dev token for `user_dev_alice` acts as the holder
 * of Alice's seeded plates.
 */
export const DEV_PROFILES = [
  {
    clerkId: 'user_dev_alice',
    id: '5eed0000-0000-4000-8000-00000000a11c',
    displayName: 'Alice (demo)',
  },
  {
    clerkId: 'user_dev_bob',
    id: '5eed0000-0000-4000-8000-000000000b0b',
    displayName: 'Bob (demo)',
  },
  {
    clerkId: 'user_dev_carol',
    id: '5eed0000-0000-4000-8000-0000000ca201',
    displayName: 'Carol (demo)',
  },
] as const;

/** Creates the demo profiles if absent; running it again changes nothing. */
export async function seedDevProfiles(db: Database): Promise<number> {
  let created = 0;
  for (const p of DEV_PROFILES) {
    created += await db.transaction((em) =>
      execute(
        em,
        `insert into profiles (id, clerk_id, role, display_name) values (?, ?, 'user', ?)
          on conflict do nothing`,
        [p.id, p.clerkId, p.displayName],
      ),
    );
  }
  return created;
}
