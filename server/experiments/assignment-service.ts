/**
 * The assignment API's engine: the user's variant in every running experiment they qualify for,
 * in one round trip. A stored assignment always wins (sticky even after weights change); new ones
 * come from the pure lib/experiments/assign.ts, are stored (assignment-store.ts) and each answer
 * emits exposure events.
 *
 * Running experiments are cached and refreshed in the background every REFRESH_MS, so a change
 * made in another process reaches this one within about a second; `invalidate()` makes this
 * process's own changes visible at once.
 */
import type pg from "pg";
import type { AssignmentsResponse } from "../../lib/api/experiments";
import { assignAll, type AssignmentConfig, type AssignmentUser, type TargetingRule } from "../../lib/experiments/assign";
import type { Db } from "../db/client";
import { storeAssignments, findAssignments, type NewAssignment } from "./assignment-store";
import type { ExposurePublisher } from "./exposure-publisher";

const REFRESH_MS = 1_000;

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
      const stored = await findAssignments(pool, user.id, all.map((e) => e.id));

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
      const inserted = await storeAssignments(pool, toStore, "api");

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
