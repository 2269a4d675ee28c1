/**
 * Stored assignments: insert-if-absent, then read back what is stored. Shared by the assignment
 * API and the simulator. Concurrent first calls for one (experiment, user) store exactly one row:
 * the primary key decides, `ON CONFLICT DO NOTHING` makes the loser insert nothing, and the loser
 * reads the winner's row in a second statement (a fresh snapshot under READ COMMITTED; inside the
 * first statement the winner's row would be invisible).
 */
import type pg from "pg";

export interface NewAssignment {
  experimentId: number;
  userId: string;
  variantKey: string;
  assignedAt: Date;
}

export interface StoredAssignment {
  experimentId: number;
  userId: string;
  variantKey: string;
  assignedAt: Date;
  /** True when this call inserted the row. */
  inserted: boolean;
}

type Queryable = Pick<pg.Pool, "query">;

/** One (experiment, user) as a map key. */
export const assignmentKey = (a: { experimentId: number; userId: string }): string => `${a.experimentId}\u0000${a.userId}`;

/** Every stored assignment of these users, in any experiment, per user (the assignment API's batched read). */
export async function findUsersAssignments(db: Queryable, userIds: readonly string[]): Promise<Map<string, Map<number, { variantKey: string; assignedAt: Date }>>> {
  const out = new Map<string, Map<number, { variantKey: string; assignedAt: Date }>>();
  if (userIds.length === 0) return out;
  const { rows } = await db.query<{ user_id: string; experiment_id: number; variant_key: string; assigned_at: Date }>(
    "SELECT user_id, experiment_id, variant_key, assigned_at FROM assignment WHERE user_id = ANY($1::text[])",
    [userIds],
  );
  for (const r of rows) {
    let forUser = out.get(r.user_id);
    if (!forUser) out.set(r.user_id, (forUser = new Map()));
    forUser.set(r.experiment_id, { variantKey: r.variant_key, assignedAt: r.assigned_at });
  }
  return out;
}

/**
 * Stores each assignment unless one exists for its (experiment, user); returns what is stored for
 * every input, in input order: the input itself when inserted, else the earlier row.
 */
export async function storeAssignments(db: Queryable, items: readonly NewAssignment[], source: "api" | "simulator"): Promise<StoredAssignment[]> {
  if (items.length === 0) return [];
  const { rows: inserted } = await db.query<{ experiment_id: number; user_id: string }>(
    `INSERT INTO assignment (experiment_id, user_id, variant_key, assigned_at, source)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
     ON CONFLICT (experiment_id, user_id) DO NOTHING
     RETURNING experiment_id, user_id`,
    [items.map((a) => a.experimentId), items.map((a) => a.userId), items.map((a) => a.variantKey), items.map((a) => a.assignedAt), items.map(() => source)],
  );
  const key = (experimentId: number, userId: string) => assignmentKey({ experimentId, userId });
  const won = new Set(inserted.map((r) => key(r.experiment_id, r.user_id)));
  const lost = items.filter((a) => !won.has(key(a.experimentId, a.userId)));
  const existing = new Map<string, { variant_key: string; assigned_at: Date }>();
  if (lost.length > 0) {
    const { rows } = await db.query<{ experiment_id: number; user_id: string; variant_key: string; assigned_at: Date }>(
      `SELECT a.experiment_id, a.user_id, a.variant_key, a.assigned_at
       FROM assignment a JOIN unnest($1::int[], $2::text[]) AS k(experiment_id, user_id) USING (experiment_id, user_id)`,
      [lost.map((a) => a.experimentId), lost.map((a) => a.userId)],
    );
    for (const r of rows) existing.set(key(r.experiment_id, r.user_id), r);
  }
  return items.map((a) => {
    if (won.has(key(a.experimentId, a.userId))) return { ...a, inserted: true };
    const row = existing.get(key(a.experimentId, a.userId));
    if (!row) throw new Error(`assignment of ${a.userId} in experiment ${a.experimentId} vanished between insert and read`);
    return { experimentId: a.experimentId, userId: a.userId, variantKey: row.variant_key, assignedAt: row.assigned_at, inserted: false };
  });
}
