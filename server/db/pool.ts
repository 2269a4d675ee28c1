import pg from "pg";

// Postgres BIGINT (offsets, counters) as JS numbers: offsets stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** A node-postgres pool for the ingest path (see server/stream/write-batch.ts for why not Prisma). */
export function createPool(databaseUrl: string, max = 8): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // A client losing its connection (Postgres restarted) must not crash the process: idle clients
  // report to the pool, checked-out ones (a transaction between two statements) to themselves. The
  // statement in flight, or the next one, rejects with the error, and callers retry.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}

/** Runs `fn` in one transaction: COMMIT if it resolves, ROLLBACK if it throws. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
