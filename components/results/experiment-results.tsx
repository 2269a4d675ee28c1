"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { DataState, SkeletonRows } from "@/components/data-state";
import { ApiRequestError } from "@/components/hooks/fetch-json";
import { useCan } from "@/components/hooks/use-me";
import { resultsCsvUrl, useResults } from "@/components/hooks/use-results";
import type { ExperimentResults as Results, MetricResult } from "@/lib/api/results";
import { formatClockTime } from "@/lib/format";
import { AnalysisSettingsPanel } from "./analysis-settings-panel";
import { GuardrailBanner, HealthStrip } from "./health-strip";
import { PowerCalculator } from "./power-calculator";
import { CumulativeLiftChart, DailyMetricChart, ForestPlot } from "./results-charts";
import { ResultsTable } from "./results-table";
import styles from "./results.module.css";

export interface ExperimentResultsProps {
  experimentKey: string;
  /**
   * "section": inside the experiment page, under its own "Results" heading, with a link to the
   * full page. "page": the full-page view, whose page header names the experiment.
   */
  layout?: "section" | "page";
}

function Toolbar({ experimentKey, layout, exportable, children }: { experimentKey: string; layout: "section" | "page"; exportable: boolean; children?: ReactNode }) {
  return (
    <div className={styles.toolbar}>
      <div className={styles.toolbarTitle}>
        {layout === "section" ? <h2>Results</h2> : null}
        {children}
      </div>
      <div className={styles.toolbarActions}>
        {exportable ? (
          <a className="button" href={resultsCsvUrl(experimentKey)} download data-testid="export-csv">
            Export CSV
          </a>
        ) : null}
        {layout === "section" ? (
          <Link className="button" href={`/experiments/${encodeURIComponent(experimentKey)}/results`} data-testid="results-full-page">
            Open full page
          </Link>
        ) : null}
      </div>
    </div>
  );
}

/** A message where results would be, in the place and shape of a panel. */
function Placeholder({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <div className="data-state data-state--empty" data-testid={testId}>
      <p className="data-state__title">{title}</p>
      <p className="data-state__message">{children}</p>
    </div>
  );
}

function MetricGroup({ title, meta, metrics, results, testId }: { title: string; meta: string; metrics: MetricResult[]; results: Results; testId: string }) {
  if (metrics.length === 0) return null;
  const breached = metrics.some((m) => m.breached);
  return (
    <section className="panel" aria-labelledby={`${testId}-title`} data-testid={testId} data-breached={breached}>
      <header className="panel__header">
        <h2 id={`${testId}-title`}>{title}</h2>
        <span className="panel__meta">{meta}</span>
      </header>
      <ResultsTable metrics={metrics} results={results} caption={`${title}: each variant's value and its lift against control`} />
    </section>
  );
}

/** Everything below the health strip, once there are users to compare. */
function ResultsBody({ results }: { results: Results }) {
  const byRole = (role: MetricResult["role"]) => results.metrics.filter((m) => m.role === role);
  const primary = byRole("primary");
  const secondary = byRole("secondary");
  const guardrails = byRole("guardrail");
  const live = results.status === "running";
  return (
    <>
      <GuardrailBanner results={results} />
      <MetricGroup title="Primary metric" meta={live ? "the decision metric; updates as events arrive" : "the decision metric"} metrics={primary} results={results} testId="results-primary" />
      <MetricGroup title="Secondary metrics" meta="context for the decision" metrics={secondary} results={results} testId="results-secondary" />
      <MetricGroup title="Guardrails" meta="must not get worse" metrics={guardrails} results={results} testId="results-guardrails" />
      <div className={styles.charts} data-testid="results-charts">
        <div className={styles.chartWide}>
          <ForestPlot results={results} metrics={[...primary, ...secondary, ...guardrails]} />
        </div>
        <CumulativeLiftChart results={results} />
        <DailyMetricChart results={results} />
      </div>
    </>
  );
}

/**
 * An experiment's results: health first (sample ratio, users, freshness), a loud banner for a
 * breached guardrail, a table per group of metrics, charts (forest plot, cumulative lift, daily
 * metric), the analysis settings, and a power calculator. Fetches itself; refreshes every 10 s
 * while the experiment runs.
 */
export function ExperimentResults({ experimentKey, layout = "section" }: ExperimentResultsProps) {
  const query = useResults(experimentKey);
  const mayEdit = useCan("experiments");
  const results = query.data;

  if (!results) {
    const notFound = query.error instanceof ApiRequestError && query.error.status === 404;
    return (
      <div className={styles.results} data-testid="results-view" data-state={query.isPending ? "loading" : "error"}>
        <Toolbar experimentKey={experimentKey} layout={layout} exportable={false} />
        <section className="panel" aria-label="Results">
          {notFound ? (
            <Placeholder title={`No experiment “${experimentKey}”`} testId="data-empty">
              It may have been mistyped or deleted. See <Link href="/experiments">all experiments</Link>.
            </Placeholder>
          ) : (
            <DataState subject="the results" loading={query.isPending} error={query.error} empty={false} emptyMessage={null} onRetry={() => void query.refetch()} skeleton={<SkeletonRows rows={8} />}>
              {null}
            </DataState>
          )}
        </section>
      </div>
    );
  }

  const live = results.status === "running";
  const hasUsers = results.metrics.length > 0 && results.metrics.some((m) => m.variants.some((v) => v.users > 0));
  const state = results.status === "draft" ? "draft" : hasUsers ? "ready" : "empty";

  return (
    <div className={styles.results} data-testid="results-view" data-state={state} data-status={results.status} data-correction={results.settings.correction}>
      <Toolbar experimentKey={experimentKey} layout={layout} exportable={state === "ready"}>
        <span className={styles.updating} aria-live="polite">
          {query.isFetching ? "Updating…" : live ? `Live: checked ${formatClockTime(query.dataUpdatedAt)}` : null}
        </span>
      </Toolbar>
      {query.isRefetchError ? (
        <p className={styles.stale} role="status">
          Could not refresh ({query.error.message}): showing the results as of {formatClockTime(query.dataUpdatedAt)}.
        </p>
      ) : null}

      {state === "draft" ? (
        <section className="panel" aria-label="Results">
          <Placeholder title="Start the experiment to see results" testId="results-draft">
            This experiment is a draft: nobody is assigned yet. Once it starts, results appear here and update as events arrive. Meanwhile, plan its size with the calculator below.
          </Placeholder>
        </section>
      ) : state === "empty" ? (
        <section className="panel" aria-label="Results">
          <Placeholder title="No users assigned yet" testId="results-empty">
            {results.message && !/^No users exposed yet/.test(results.message) ? results.message : "Results appear once the first users are assigned and watch something. This page checks again every 10 seconds."}
          </Placeholder>
        </section>
      ) : (
        <>
          <HealthStrip results={results} live={live} />
          <ResultsBody results={results} />
        </>
      )}

      <div className={styles.lower}>
        <AnalysisSettingsPanel experimentKey={experimentKey} results={results} mayEdit={mayEdit} />
        <PowerCalculator key={`${experimentKey}/${results.metrics.length > 0}`} results={results} />
      </div>
    </div>
  );
}
