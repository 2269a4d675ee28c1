import type pg from "pg";
import type {
  ChannelPayloads,
  ExperimentNow,
  ExperimentsSnapshot,
  PipelineLagSnapshot,
  RetentionTrendSnapshot,
} from "../../lib/live/contract";
import { addDays, toIsoDay } from "../../lib/format";
import type { Db } from "../db/client";
import type { EventLog } from "../log/types";
import { getPipeline, OffsetRateSampler } from "../queries/get-pipeline";
import { getRetention } from "../queries/get-retention";
import { getExperimentResults } from "../results/get-experiment-results";
import type { LiveState } from "./live-state";

/** What a channel's snapshot is read from; async sources are read at most once at a time. */
export type ChannelSources = { [C in keyof ChannelPayloads]?: () => ChannelPayloads[C] | Promise<ChannelPayloads[C]> };

/** Cohort days on the retention trend: the last four weeks (D7 needs a week more to show). */
const RETENTION_DAYS = 28;

/**
 * The wall's and the overview's channels over the running instances: live windows for the
 * per-second channels, Postgres (and the log's offsets) for the slower ones. The gateway decides
 * when to read them; in a cluster only the publishing process does.
 */
export function createChannelSources(deps: { live: LiveState; db: Db; pool: pg.Pool; log: EventLog; clock?: () => number }): ChannelSources {
  const clock = deps.clock ?? Date.now;
  const sampler = new OffsetRateSampler(60_000, 1_000);
  return {
    overview: () => deps.live.snapshot(),
    genres: () => deps.live.genres(),
    retention: () => readRetentionTrend(deps.db, clock()),
    pipeline: () => readPipelineLag(deps, sampler, clock),
    experiments: () => readRunningExperiments(deps.db, deps.pool, clock),
  };
}

export async function readRetentionTrend(db: Db, now: number): Promise<RetentionTrendSnapshot> {
  const today = toIsoDay(now);
  const matrix = await getRetention(db, { from: addDays(today, -RETENTION_DAYS), to: addDays(today, -1) }, 7, today);
  const rate = (retained: number[], n: number, size: number) => {
    const users = retained[n];
    // Day n of a cohort is over once today is past it: retained has n + 1 cells only then.
    return users === undefined || size === 0 || retained.length <= n ? null : users / size;
  };
  return {
    at: now,
    points: matrix.cohorts.map((c) => ({
      cohort: c.cohort,
      size: c.size,
      d1: c.retained.length > 1 && addDays(c.cohort, 1) < today ? rate(c.retained, 1, c.size) : null,
      d7: c.retained.length > 7 && addDays(c.cohort, 7) < today ? rate(c.retained, 7, c.size) : null,
    })),
  };
}

async function readPipelineLag(
  deps: { live: LiveState; db: Db; log: EventLog },
  sampler: OffsetRateSampler,
  clock: () => number,
): Promise<PipelineLagSnapshot> {
  const p = await getPipeline({ db: deps.db, log: deps.log, live: deps.live }, { clock, sampler, deadLetterLimit: 1 });
  let maxLag: PipelineLagSnapshot["maxLag"] = null;
  let lastCommitAt: number | null = null;
  for (const part of p.partitions) {
    if (part.lag !== null && part.lag > (maxLag?.lag ?? 0)) maxLag = { topic: part.topic, partition: part.partition, lag: part.lag };
    const committed = part.committedAt === null ? null : Date.parse(part.committedAt);
    if (committed !== null && (lastCommitAt === null || committed > lastCommitAt)) lastCommitAt = committed;
  }
  return {
    at: Date.parse(p.at),
    logOk: p.log.ok,
    totalLag: p.totals.lag,
    maxLag,
    partitions: p.partitions.length,
    inPerSec: p.rates.inPerSec,
    outPerSec: p.rates.outPerSec,
    lastCommitAt,
    alert: p.alerts[0]?.title ?? null,
    deadLettered: p.counters.deadLettered,
  };
}

/**
 * Running experiments: users per variant counted now, and the primary metric per variant with its
 * lift, SRM and guardrail alerts from the newest results snapshot (server/results: kept fresh by the
 * refresher; this never computes one, so a wall tick costs a few indexed reads).
 */
export async function readRunningExperiments(db: Db, pool: pg.Pool, clock: () => number): Promise<ExperimentsSnapshot> {
  const now = clock();
  // Users per variant: one pass over each running experiment's assignments (primary key prefix).
  const rows = await db.$queryRaw<
    {
      key: string;
      name: string;
      primary_metric: string;
      started_at: Date | null;
      variant_key: string;
      variant_name: string;
      is_control: boolean;
      users: bigint;
    }[]
  >`
    SELECT e.key, e.name, e.primary_metric, e.started_at,
           v.key AS variant_key, v.name AS variant_name, v.is_control, coalesce(a.users, 0) AS users
    FROM experiment e
    JOIN experiment_variant v ON v.experiment_id = e.id
    LEFT JOIN (
      SELECT experiment_id, variant_key, count(*) AS users
      FROM assignment
      WHERE experiment_id IN (SELECT id FROM experiment WHERE status = 'running')
      GROUP BY 1, 2
    ) a ON a.experiment_id = e.id AND a.variant_key = v.key
    WHERE e.status = 'running'
    ORDER BY e.started_at DESC NULLS LAST, e.id, v.position`;
  const experiments = new Map<string, ExperimentNow>();
  for (const r of rows) {
    let e = experiments.get(r.key);
    if (!e) {
      e = {
        key: r.key,
        name: r.name,
        primaryMetric: r.primary_metric,
        startedAt: r.started_at?.getTime() ?? null,
        asOfDay: null,
        sampleRatioMismatch: false,
        guardrailAlerts: [],
        variants: [],
      };
      experiments.set(r.key, e);
    }
    e.variants.push({ key: r.variant_key, name: r.variant_name, isControl: r.is_control, users: Number(r.users), primary: null, lift: null });
  }
  for (const e of experiments.values()) await addResults(e, pool, clock);
  return { at: now, experiments: [...experiments.values()] };
}

async function addResults(e: ExperimentNow, pool: pg.Pool, clock: () => number): Promise<void> {
  const results = await getExperimentResults(pool, e.key, { clock, computeMissing: false });
  if (!results || results.asOfDay === null) return;
  e.asOfDay = results.asOfDay;
  e.sampleRatioMismatch = results.health.srm.mismatch;
  const primary = results.metrics.find((m) => m.role === "primary");
  for (const v of e.variants) {
    const value = primary?.variants.find((x) => x.variantKey === v.key)?.value;
    v.primary = value !== undefined && Number.isFinite(value) ? value : null;
    const c = primary?.comparisons.find((x) => x.variantKey === v.key);
    const { estimate, lower, upper } = c?.relative ?? {};
    v.lift = c && [estimate, lower, upper].every(Number.isFinite) ? { estimate: c.relative.estimate, lower: c.relative.lower, upper: c.relative.upper, verdict: c.verdict } : null;
  }
  e.guardrailAlerts = results.metrics
    .filter((m) => m.role === "guardrail" && m.breached)
    .flatMap((m) => m.comparisons.filter((c) => c.verdict === "worse").map((c) => ({ metricId: m.metricId, metricName: m.name, variantKey: c.variantKey, summary: c.summary })));
}
