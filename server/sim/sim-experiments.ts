/**
 * The simulator's experiments in the product: created and started through the experiments
 * repository (as a person would, actor "simulator"), assigned by the simulator's hook with the
 * API's pure assignment, and every first exposure stored as an assignment (source "simulator")
 * and produced as an exposure event, as the assignment API does.
 *
 * What a person did wins: an experiment someone paused or stopped stays so, and the simulator
 * stops planting its effect from the moment it left "running" (read at start, then polled).
 */
import type pg from "pg";
import { TOPICS } from "../../lib/config/topics";
import type { ExposureEvent } from "../../lib/events/exposure-event";
import {
  SIM_ACTOR,
  createExperimentsHook,
  simExperiments,
  type SimExperiment,
  type SimExposure,
  type StoredParameters,
} from "../../lib/sim/experiments";
import type { ExperimentsHook } from "../../lib/sim/simulator";
import type { Db } from "../db/client";
import { storeAssignments, type NewAssignment } from "../experiments/assignment-store";
import { createExperiment, definitionOf, transitionExperiment } from "../experiments/repository";
import { HttpError } from "../http/respond";
import type { Logger } from "../logger";
import type { EventLog, ProducerRecord } from "../log/types";

const STORE_BATCH = 5_000;
const PRODUCE_BATCH = 10_000;
const FLUSH_MS = 1_000;
const STATUS_POLL_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;

/** The simulated experiments as they stand in the database, ready for the hook. */
export interface SimExperimentsInDb {
  /** With the stored definitions (a person may have changed weights, traffic or targeting). */
  experiments: SimExperiment[];
  startMsByKey: Record<string, number>;
  /** When an experiment left "running", for those not running; the owner updates it live. */
  endMsByKey: Map<string, number>;
  idByKey: Map<string, number>;
  stored: Record<string, StoredParameters>;
}

const withVariants = { variants: { orderBy: { position: "asc" } } } as const;

function isConflict(err: unknown): boolean {
  return err instanceof HttpError && err.status === 409;
}

/**
 * Makes sure the simulated experiments exist and run: creates the missing ones and starts them
 * with `startedAt = startMs` (their simulated start), once; on a restart they are found and left
 * as they are. An experiment of the same key that the simulator did not create is not touched
 * (and gets no simulated effect).
 */
export async function ensureSimExperiments(db: Db, options: { startMs: number; logger: Logger }): Promise<SimExperimentsInDb> {
  const { startMs, logger } = options;
  const planned = simExperiments(new Date(startMs).toISOString().slice(0, 10));
  const out: SimExperimentsInDb = { experiments: [], startMsByKey: {}, endMsByKey: new Map(), idByKey: new Map(), stored: {} };
  for (const plan of planned) {
    const key = plan.definition.key;
    let row = await db.experiment.findUnique({ where: { key }, include: withVariants });
    if (!row) {
      try {
        await createExperiment(db, plan.definition, SIM_ACTOR);
      } catch (err) {
        if (!isConflict(err)) throw err; // another simulator process created it first
      }
      row = (await db.experiment.findUnique({ where: { key }, include: withVariants }))!;
    }
    const created = await db.experimentAudit.findFirst({ where: { experimentId: row.id, action: "create" }, orderBy: { at: "asc" } });
    if (created?.actor !== SIM_ACTOR) {
      logger.warn({ experiment: key, createdBy: created?.actor }, "an experiment with a simulated experiment's key exists: the simulator leaves it alone");
      continue;
    }
    if (row.status === "draft") {
      try {
        // The history before now is simulated too: the experiment started when its users began to see it.
        await transitionExperiment(db, key, { action: "start", version: row.version }, SIM_ACTOR, { at: new Date(startMs) });
      } catch (err) {
        if (!isConflict(err)) throw err;
        logger.warn({ experiment: key, reason: (err as Error).message }, "could not start a simulated experiment");
      }
      row = (await db.experiment.findUnique({ where: { key }, include: withVariants }))!;
    }
    if (row.status === "draft" || row.startedAt === null) continue;
    out.experiments.push({ ...plan, definition: definitionOf(row) });
    out.startMsByKey[key] = row.startedAt.getTime();
    out.idByKey.set(key, row.id);
    out.stored[key] = { seed: row.seed, trafficAllocation: row.trafficAllocation };
    if (row.status !== "running") out.endMsByKey.set(key, await leftRunningAt(db, row));
  }
  logger.info(
    { experiments: out.experiments.map((e) => `${e.definition.key} (${out.endMsByKey.has(e.definition.key) ? "ended" : "running"})`) },
    "simulated experiments",
  );
  return out;
}

/**
 * The variants already stored for the simulated experiments, per experiment key and user: they
 * win over a recomputation (a person may have changed the weights since), as in the API.
 */
export async function loadStoredVariants(pool: Queryable, idByKey: ReadonlyMap<string, number>): Promise<Map<string, Map<string, string>>> {
  const keyById = new Map([...idByKey].map(([key, id]) => [id, key]));
  const out = new Map([...idByKey.keys()].map((key) => [key, new Map<string, string>()]));
  if (keyById.size === 0) return out;
  const { rows } = await pool.query<{ experiment_id: number; user_id: string; variant_key: string }>(
    "SELECT experiment_id, user_id, variant_key FROM assignment WHERE experiment_id = ANY($1::int[])",
    [[...keyById.keys()]],
  );
  for (const r of rows) out.get(keyById.get(r.experiment_id)!)!.set(r.user_id, r.variant_key);
  return out;
}

/** When a paused or stopped experiment last left "running". */
async function leftRunningAt(db: Db, row: { id: number; stoppedAt: Date | null; updatedAt: Date }): Promise<number> {
  const last = await db.experimentAudit.findFirst({ where: { experimentId: row.id, action: { in: ["pause", "stop"] } }, orderBy: [{ at: "desc" }, { id: "desc" }] });
  return (last?.at ?? row.stoppedAt ?? row.updatedAt).getTime();
}

export interface SimExposureWriter {
  /** Queues a first exposure; the hook's `onExposure`. */
  record(exposure: SimExposure): void;
  /**
   * Stores and produces everything queued so far; retries (logging) until it has, so what the
   * caller reports as done includes its exposures.
   */
  flush(): Promise<void>;
  /** Flushes every second in the background. */
  startTimer(intervalMs?: number): void;
  /** Stops the timer and flushes, giving up (and logging what is lost) after `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
  stats(): { recorded: number; stored: number; produced: number; pending: number };
}

type Queryable = Pick<pg.Pool, "query">;

interface Pending extends NewAssignment {
  experimentKey: string;
}

/**
 * Batches first exposures into `storeAssignments` (insert-if-absent: one row per experiment and
 * user, so a restart that replays the world stores nothing twice) with `assignedAt` = the
 * session's simulated time, then produces an exposure event for each row it inserted (exposed_at =
 * that time; the record's timestamp is the append time, as for any producer). A failure keeps the
 * batch and retries with backoff; nothing is dropped silently.
 */
export function createSimExposureWriter(options: { pool: Queryable; log: EventLog; logger: Logger; idByKey: ReadonlyMap<string, number> }): SimExposureWriter {
  const { pool, log, logger, idByKey } = options;
  let toStore: Pending[] = [];
  let toProduce: ProducerRecord[] = [];
  let recorded = 0;
  let stored = 0;
  let produced = 0;
  let failures = 0;
  let pass: Promise<void> | null = null;
  let deadline = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;

  const pending = () => toStore.length + toProduce.length;

  async function storeAndProduce(): Promise<void> {
    while (toStore.length > 0) {
      const batch = toStore.slice(0, STORE_BATCH);
      const rows = await storeAssignments(pool, batch, "simulator");
      toStore = toStore.slice(batch.length); // record() only appends, so the batch is still the head
      rows.forEach((row, i) => {
        if (!row.inserted) return; // stored (and produced) before this process replayed the world
        stored++;
        const p = batch[i]!;
        const event: ExposureEvent = {
          exposure_id: `sim:${p.experimentKey}:${p.userId}`,
          user_id: p.userId,
          experiment_key: p.experimentKey,
          variant_key: p.variantKey,
          exposed_at: p.assignedAt.toISOString(),
          first_exposure: true,
        };
        toProduce.push({ key: p.userId, value: JSON.stringify(event) });
      });
    }
    while (toProduce.length > 0) {
      const batch = toProduce.slice(0, PRODUCE_BATCH);
      await log.produce(TOPICS.exposure, batch);
      toProduce = toProduce.slice(batch.length);
      produced += batch.length;
    }
  }

  async function untilDone(): Promise<void> {
    for (;;) {
      try {
        await storeAndProduce();
        if (failures > 0) logger.info({ failures }, "simulated exposures are stored and produced again");
        failures = 0;
        return;
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 20 === 0) logger.error({ err, pending: pending(), failures }, "storing or producing simulated exposures failed; retrying");
        const wait = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(failures, 7));
        if (Date.now() + wait > deadline) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async function flush(): Promise<void> {
    // A pass already running may have missed what was queued after it started: go again.
    while (pending() > 0 || pass) {
      pass ??= untilDone().finally(() => {
        pass = null;
      });
      await pass;
    }
  }

  return {
    record(x) {
      const experimentId = idByKey.get(x.experimentKey);
      if (experimentId === undefined) throw new Error(`no stored experiment for simulated exposure to "${x.experimentKey}"`);
      recorded++;
      toStore.push({ experimentId, experimentKey: x.experimentKey, userId: x.userId, variantKey: x.variantKey, assignedAt: new Date(x.atMs) });
    },
    flush,
    startTimer(intervalMs = FLUSH_MS) {
      if (timer) return;
      timer = setInterval(() => {
        if (pass || pending() === 0) return;
        flush().catch((err: unknown) => logger.error({ err }, "simulated exposures not flushed"));
      }, intervalMs);
      timer.unref();
    },
    async close(timeoutMs = 10_000) {
      if (timer) clearInterval(timer);
      timer = null;
      deadline = Date.now() + timeoutMs;
      try {
        await flush();
      } catch (err) {
        logger.error({ err, lost: pending() }, "closing with simulated exposures neither stored nor produced");
      }
    },
    stats: () => ({ recorded, stored, produced, pending: pending() }),
  };
}

/**
 * Follows status changes people make while the simulator runs: leaving "running" ends the
 * experiment's effect and assignments from now on; resuming brings them back. Returns a stop function.
 */
export function watchSimExperimentStatus(options: {
  db: Db;
  experiments: SimExperimentsInDb;
  logger: Logger;
  clock: () => number;
  intervalMs?: number;
}): () => void {
  const { db, experiments, logger, clock } = options;
  const keys = experiments.experiments.map((e) => e.definition.key);
  let busy = false;
  const poll = async () => {
    const rows = await db.experiment.findMany({ where: { key: { in: keys } }, select: { key: true, status: true } });
    for (const { key, status } of rows) {
      const ended = experiments.endMsByKey.has(key);
      if (status !== "running" && !ended) {
        experiments.endMsByKey.set(key, clock());
        logger.info({ experiment: key, status }, "simulated experiment left running: its effect and assignments stop");
      } else if (status === "running" && ended) {
        experiments.endMsByKey.delete(key);
        logger.info({ experiment: key }, "simulated experiment resumed: its effect and assignments continue");
      }
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    poll()
      .catch((err: unknown) => logger.warn({ err }, "could not read simulated experiments' status"))
      .finally(() => (busy = false));
  }, options.intervalMs ?? STATUS_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface SimExperimentsRuntime {
  /** The simulator's experimentsHook: assignment, planted effects, first exposures to the writer. */
  hook: ExperimentsHook;
  writer: SimExposureWriter;
  /** Background flushing and status polling, for live traffic. */
  startLive(): void;
  /** Stops polling and flushes what is left. */
  close(): Promise<void>;
}

/** Everything the simulator needs for its experiments, wired to the database and the log. */
export async function startSimExperiments(options: {
  db: Db;
  pool: Queryable;
  log: EventLog;
  logger: Logger;
  /** The start of experiments this call creates; existing ones keep their stored start. */
  startMs: number;
  clock: () => number;
}): Promise<SimExperimentsRuntime> {
  const { db, pool, log, logger, clock } = options;
  const experiments = await ensureSimExperiments(db, { startMs: options.startMs, logger });
  const writer = createSimExposureWriter({ pool, log, logger, idByKey: experiments.idByKey });
  const storedVariants = await loadStoredVariants(pool, experiments.idByKey);
  const hook = createExperimentsHook(experiments.experiments, experiments.startMsByKey, {
    onExposure: writer.record,
    endMsByKey: experiments.endMsByKey,
    stored: experiments.stored,
    storedVariant: (key, userId) => storedVariants.get(key)?.get(userId),
  });
  let stopWatching: (() => void) | null = null;
  return {
    hook,
    writer,
    startLive() {
      writer.startTimer();
      stopWatching ??= watchSimExperimentStatus({ db, experiments, logger, clock });
    },
    async close() {
      stopWatching?.();
      await writer.close();
    },
  };
}
