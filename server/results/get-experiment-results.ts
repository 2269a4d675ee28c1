/**
 * GET /api/experiments/:key/results: the experiment and its analysis settings, its daily
 * snapshots at the settings' cap, and buildResults. The request never touches per-user rows,
 * except once: when no snapshot exists yet at this cap (an experiment just started, or the cap
 * setting just changed), it computes the newest day's on the spot so results appear at once; the
 * refresher fills the past days.
 */
import type pg from "pg";
import type { ExperimentResults, ResultsVariant } from "../../lib/api/results";
import { readAnalysisSettings, type AnalysisSettings } from "../../lib/experiments/analysis-settings";
import { toIsoDay } from "../../lib/format";
import { buildResults, emptyResults, type ResultsExperiment } from "./build-results";
import { computeSnapshot } from "./compute-snapshot";
import { loadSnapshots, refreshSnapshot, snapshotDays, type SnapshotSchedule } from "./snapshots";

export interface LoadedExperiment extends ResultsExperiment, SnapshotSchedule {
  settings: AnalysisSettings;
}

/** The experiment row and its variants in one round trip; null when there is no such key. */
export async function loadResultsExperiment(pool: pg.Pool, key: string): Promise<LoadedExperiment | null> {
  const { rows } = await pool.query<{
    id: number;
    key: string;
    name: string;
    status: string;
    primary_metric: string;
    secondary_metrics: string[];
    guardrail_metrics: string[];
    started_at: Date | null;
    stopped_at: Date | null;
    weights_since: Date | null;
    analysis: unknown;
    variants: ResultsVariant[];
  }>(
    `SELECT e.id, e.key, e.name, e.status, e.primary_metric, e.secondary_metrics, e.guardrail_metrics, e.started_at, e.stopped_at,
            e.weights_since, e.analysis,
            coalesce((SELECT json_agg(json_build_object('key', v.key, 'name', v.name, 'isControl', v.is_control, 'weight', v.weight) ORDER BY v.position)
                      FROM experiment_variant v WHERE v.experiment_id = e.id), '[]') AS variants
     FROM experiment e WHERE e.key = $1`,
    [key],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    status: r.status,
    primaryMetric: r.primary_metric,
    secondaryMetrics: r.secondary_metrics ?? [],
    guardrailMetrics: r.guardrail_metrics ?? [],
    variants: r.variants,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
    weightsSince: r.weights_since?.toISOString() ?? null,
    settings: readAnalysisSettings(r.analysis),
  };
}

export interface ResultsOptions {
  clock?: () => number;
  /** Compute the newest snapshot when none exists at this cap (default true). */
  computeMissing?: boolean;
}

/** The experiment's results; null for an unknown key. */
export async function getExperimentResults(pool: pg.Pool, key: string, options: ResultsOptions = {}): Promise<ExperimentResults | null> {
  const clock = options.clock ?? Date.now;
  const experiment = await loadResultsExperiment(pool, key);
  if (!experiment) return null;
  const { settings } = experiment;
  const now = clock();
  const today = toIsoDay(now);
  const days = snapshotDays(experiment, now);
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) {
    const message = experiment.status === "draft" ? "This experiment is a draft: results appear once it starts." : "This experiment never ran: there are no results.";
    return emptyResults({ experiment, settings, today }, message);
  }
  let snapshots = await loadSnapshots(pool, experiment.id, settings.capPercentile, first, last);
  if (snapshots.length === 0 && options.computeMissing !== false) {
    await refreshSnapshot(pool, { experimentId: experiment.id, day: last, capPercentile: settings.capPercentile, now: new Date(now), staleBefore: null, wait: true });
    snapshots = await loadSnapshots(pool, experiment.id, settings.capPercentile, first, last);
  }
  return buildResults({
    experiment,
    settings,
    today,
    snapshots: snapshots.map((s) => ({ day: s.day, computedAt: s.computedAt.toISOString(), stats: s.stats })),
  });
}

/**
 * The naive path, for the benchmark's baseline: recompute the newest day's statistics from the
 * aggregation tables on every request (no stored snapshots; no cumulative history).
 */
export async function getExperimentResultsNaive(pool: pg.Pool, key: string, options: { clock?: () => number } = {}): Promise<ExperimentResults | null> {
  const clock = options.clock ?? Date.now;
  const experiment = await loadResultsExperiment(pool, key);
  if (!experiment) return null;
  const now = clock();
  const last = snapshotDays(experiment, now).at(-1);
  if (last === undefined) return emptyResults({ experiment, settings: experiment.settings, today: toIsoDay(now) }, "not started");
  const stats = await computeSnapshot(pool, experiment.id, last, experiment.settings.capPercentile);
  return buildResults({ experiment, settings: experiment.settings, today: toIsoDay(now), snapshots: [{ day: last, computedAt: new Date(now).toISOString(), stats }] });
}
