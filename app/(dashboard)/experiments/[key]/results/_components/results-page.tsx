"use client";

import Link from "next/link";
import { StatusBadge } from "@/components/experiments/status-badge";
import { useResults } from "@/components/hooks/use-results";
import { ExperimentResults } from "@/components/results/experiment-results";
import type { ExperimentStatus } from "@/lib/experiments/assign";
import styles from "./results-page.module.css";

const STATUSES: readonly string[] = ["draft", "running", "paused", "stopped", "archived"];

/** The page header (the experiment's name once known, a way back to it) above the results. */
export function ResultsPage({ experimentKey }: { experimentKey: string }) {
  // The same query as the results below: one request, shared through the cache.
  const results = useResults(experimentKey).data;
  const experimentHref = `/experiments/${encodeURIComponent(experimentKey)}`;
  return (
    <div className="report">
      <header className={`page-header ${styles.header}`}>
        <div>
          <p className="breadcrumb">
            <Link href="/experiments">Experiments</Link> <span aria-hidden="true">›</span>{" "}
            <Link href={experimentHref}>{results?.experimentName ?? experimentKey}</Link> <span aria-hidden="true">›</span>
          </p>
          <h1 className={styles.title}>
            Results: {results?.experimentName ?? experimentKey}
            {results && STATUSES.includes(results.status) ? <StatusBadge status={results.status as ExperimentStatus} /> : null}
          </h1>
          <p className="page-header__sub">
            <code>{experimentKey}</code>
          </p>
        </div>
        <Link href={experimentHref} className="button" data-testid="back-to-experiment">
          ← Back to the experiment
        </Link>
      </header>
      <ExperimentResults experimentKey={experimentKey} layout="page" />
    </div>
  );
}
