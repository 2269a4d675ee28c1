/**
 * The assignment API's engine: the user's variant in every running experiment they qualify for,
 * in one round trip. A stored assignment always wins (sticky even after weights change); new ones
 * come from the pure lib/experiments/assign.ts, are stored (assignment-store.ts) and each answer
 * emits exposure events.
 *
 * Running experiments are cached and refreshed in the background every REFRESH_MS, so a change
 * made in another process reaches this one within about a second; `invalidate()` makes this
 * process's own changes visible at once.
 *
 * At thousands of calls a second the database round trips are the cost, so:
 * - a stored assignment never changes, and the process remembers each recent user's (an LRU of
 *   STICKY_USERS): a returning user costs no query. What it remembers is complete as of the read;
 *   a row another process stores later is found by the insert's conflict, so stickiness holds.
 * - concurrent calls share statements: while one read (or insert) is in flight, the next calls'
 *   users wait and go together in the next one (DataLoader), so a burst of first-time users costs
 *   one INSERT and one commit, not one each.
 */
import DataLoader from "dataloader";
import { LRUCache } from "lru-cache";
import type pg from "pg";
import type { AssignmentsResponse } from "../../lib/api/experiments";
import { assignAll, type AssignmentConfig, type AssignmentUser, type TargetingRule } from "../../lib/experiments/assign";
import type { Db } from "../db/client";
import { assignmentKey, findUsersAssignments, storeAssignments, type NewAssignment, type StoredAssignment } from "./assignment-store";
import type { ExposurePublisher } from "./exposure-publisher";

const REFRESH_MS = 1_000;
/** Users whose stored assignments this process remembers (measured ~570 bytes each with two experiments: ~30 MB). */
const STICKY_USERS = 50_000;
/** At most this many users or rows per batched statement. */
const MAX_BATCH = 500;

type Stored = Map<number, { variantKey: string; assignedAt: Date }>;

/**
 * A DataLoader that sends its first batch at once and, while that batch's statement runs, gathers
 * the next one: one statement in flight, the rest queue up behind it together.
 */
function oneInFlight<K, V>(batch: (keys: readonly K[]) => Promise<V[]>, cacheKeyFn?: (key: K) => string): DataLoader<K, V, string> {
  let inFlight: Promise<unknown> | null = null;
  return new DataLoader<K, V, string>(
    (keys) => {
      const run = batch(keys);
      const done = run.then(
        () => undefined,
        () => undefined,
      );
      inFlight = done;
      void done.then(() => {
        if (inFlight === done) inFlight = null;
      });
      return run;
    },
    {
      cache: false,
      maxBatchSize: MAX_BATCH,
      cacheKeyFn,
      batchScheduleFn: (dispatch) => (inFlight ? void inFlight.then(dispatch) : setImmediate(dispatch)),
    },
  );
}

interface RunningExperiment {
  id: number;
  config: AssignmentConfig;
}

export interface AssignmentService {
  assign(user: AssignmentUser): Promise<AssignmentsResponse>;
  /** Reload running experiments before the next answer (after a change in this process). */
  invalidate(): void;
}

export async function loadRunningExperiments(db: Db): Promise<RunningExperiment[]> {
  const rows = await db.experiment.findMany({
    where: { status: "running" },
    include: { variants: { orderBy: { position: "asc" } } },
    // A stable order: with overlapping layers (refused at start, but) the earlier start wins.
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    id: r.id,
    config: {
      key: r.key,
      seed: r.seed,
      status: "running",
      trafficAllocation: r.trafficAllocation,
      variants: r.variants.map((v) => ({ key: v.key, weight: v.weight })),
      targeting: r.targeting as TargetingRule[],
      layer: r.layerKey ? { key: r.layerKey, ranges: (r.layerRanges as [number, number][] | null) ?? undefined } : undefined,
    },
  }));
}

export function createAssignmentService(options: { db: Db; pool: pg.Pool; exposures: ExposurePublisher; clock?: () => number }): AssignmentService {
  const { db, pool, exposures } = options;
  const clock = options.clock ?? Date.now;
  let running: RunningExperiment[] | null = null;
  let loadedAt = 0;
  let loading: Promise<RunningExperiment[]> | null = null;

  const sticky = new LRUCache<string, Stored>({ max: STICKY_USERS });
  const reads = oneInFlight<string, Stored>(async (userIds) => {
    const found = await findUsersAssignments(pool, userIds);
    return userIds.map((id) => found.get(id) ?? new Map());
  });
  const writes = oneInFlight<NewAssignment, StoredAssignment>(
    async (items) => {
      // The same (experiment, user) twice in one batch (a user's racing first calls): store it once;
      // the later calls get the stored row, not a first exposure.
      const unique = new Map<string, NewAssignment>();
      for (const a of items) if (!unique.has(assignmentKey(a))) unique.set(assignmentKey(a), a);
      const stored = new Map((await storeAssignments(pool, [...unique.values()], "api")).map((s) => [assignmentKey(s), s]));
      const answered = new Set<string>();
      return items.map((a) => {
        const k = assignmentKey(a);
        const s = stored.get(k)!;
        const first = !answered.has(k);
        answered.add(k);
        return first ? s : { ...s, inserted: false };
      });
    },
    assignmentKey,
  );

  /** The user's stored assignments (all experiments), from memory or the database. */
  async function storedFor(userId: string): Promise<Stored> {
    const known = sticky.get(userId);
    if (known) return known;
    const found = await reads.load(userId);
    const raced = sticky.get(userId); // a concurrent call may have stored some meanwhile
    if (raced) for (const [id, a] of raced) found.set(id, a);
    sticky.set(userId, found);
    return found;
  }

  const reload = () =>
    (loading ??= loadRunningExperiments(db)
      .then((list) => {
        running = list;
        loadedAt = clock();
        return list;
      })
      .finally(() => {
        loading = null;
      }));

  async function experiments(): Promise<RunningExperiment[]> {
    if (running === null) return reload();
    // Stale-while-revalidate: answer from the cache, refresh behind it.
    if (clock() - loadedAt > REFRESH_MS) reload().catch(() => undefined);
    return running;
  }

  return {
    invalidate() {
      running = null;
    },
    async assign(user) {
      const all = await experiments();
      if (all.length === 0) return { userId: user.id, assignments: [] };
      const stored = await storedFor(user.id);

      // Layers already taken by a stored assignment stay taken: no second experiment of the layer.
      const takenLayers = new Set<string>();
      for (const e of all) if (stored.has(e.id) && e.config.layer) takenLayers.add(e.config.layer.key);
      const fresh = all.filter((e) => !stored.has(e.id) && !(e.config.layer && takenLayers.has(e.config.layer.key)));
      const byKey = new Map(fresh.map((e) => [e.config.key, e]));
      const now = new Date(clock());
      const toStore: NewAssignment[] = assignAll(
        fresh.map((e) => e.config),
        user,
      ).map((a) => ({ experimentId: byKey.get(a.experimentKey)!.id, userId: user.id, variantKey: a.variantKey, assignedAt: now }));
      const inserted = await Promise.all(toStore.map((a) => writes.load(a)));
      if (inserted.length > 0) {
        const remembered = sticky.get(user.id) ?? new Map();
        for (const a of inserted) remembered.set(a.experimentId, { variantKey: a.variantKey, assignedAt: a.assignedAt });
        sticky.set(user.id, remembered);
      }

      const result: AssignmentsResponse["assignments"] = [];
      const insertedById = new Map(inserted.map((a) => [a.experimentId, a]));
      for (const e of all) {
        const before = stored.get(e.id);
        const made = insertedById.get(e.id);
        const s = before ?? made;
        if (!s) continue;
        result.push({ experimentKey: e.config.key, variantKey: s.variantKey, assignedAt: s.assignedAt.toISOString(), firstExposure: made?.inserted ?? false });
      }
      exposures.publish(
        result.map((a) => ({
          user_id: user.id,
          experiment_key: a.experimentKey,
          variant_key: a.variantKey,
          exposed_at: now.toISOString(),
          first_exposure: a.firstExposure,
        })),
      );
      return { userId: user.id, assignments: result };
    },
  };
}
