"use client";

import Link from "next/link";
import { DataState, SkeletonRows } from "@/components/data-state";
import { formatWhen } from "@/components/experiments/describe";
import { HealthBadge } from "@/components/experiments/health-badge";
import { StatusBadge } from "@/components/experiments/status-badge";
import { ApiRequestError } from "@/components/hooks/fetch-json";
import { useExperiment, useMetricsCatalog } from "@/components/hooks/use-experiments";
import { useCan } from "@/components/hooks/use-me";
import { ExperimentResults } from "@/components/results/experiment-results";
import type { ExperimentDetailDto } from "@/lib/api/experiments";
import { DECISION_LABELS, editableFields } from "@/lib/experiments/lifecycle";
import { AuditLog } from "./audit-log";
import { SetupSummary, VariantsSummary } from "./config-summary";
import { LifecycleActions } from "./lifecycle-actions";
import styles from "./experiment.module.css";

/** What was decided when the experiment stopped, and why. */
function DecisionNote({ experiment: e }: { experiment: ExperimentDetailDto }) {
  if (!e.decision) return null;
  const shipped = e.decision === "ship" ? e.variants.find((v) => v.key === e.decisionVariant) : undefined;
  return (
    <section className={`panel ${styles.decisionPanel}`} aria-labelledby="decision-title" data-testid="decision">
      <h2 id="decision-title" className={styles.smallHeading}>
        Decision
      </h2>
      <p className={styles.decisionLine}>
        <strong>{DECISION_LABELS[e.decision]}</strong>
        {e.decision === "ship" ? (
          <>
            : {shipped?.name ?? e.decisionVariant} <code>{e.decisionVariant}</code>
          </>
        ) : null}
        {e.stoppedAt ? <span className="muted"> · stopped {formatWhen(e.stoppedAt)}</span> : null}
      </p>
      {e.decisionNote ? <p className={styles.prose}>{e.decisionNote}</p> : <p className="muted">No note was recorded.</p>}
    </section>
  );
}

function Header({ experiment: e, mayEdit }: { experiment: ExperimentDetailDto; mayEdit: boolean }) {
  return (
    <header className={`page-header ${styles.header}`}>
      <div className={styles.titleBlock}>
        <p className="breadcrumb">
          <Link href="/experiments">Experiments</Link> <span aria-hidden="true">›</span>
        </p>
        <h1 className={styles.title}>
          {e.name} <StatusBadge status={e.status} />
        </h1>
        <p className="page-header__sub">
          <code>{e.key}</code> · owner {e.owner} · created {formatWhen(e.createdAt)}
          {e.startedAt ? <> · started {formatWhen(e.startedAt)}</> : null}
          {e.stoppedAt ? <> · stopped {formatWhen(e.stoppedAt)}</> : null}
        </p>
        <div className={styles.healthLine}>
          <HealthBadge health={e.health} />
        </div>
      </div>
      {mayEdit ? (
        <div className={styles.headerActions}>
          {editableFields(e.status) !== "none" ? (
            <Link href={`/experiments/${encodeURIComponent(e.key)}/edit`} className="button" data-testid="edit-experiment">
              Edit
            </Link>
          ) : null}
          <LifecycleActions experiment={e} />
        </div>
      ) : null}
    </header>
  );
}

/** /experiments/:key: the definition, its users so far, the lifecycle controls, and the audit log. */
export function ExperimentPage({ experimentKey }: { experimentKey: string }) {
  const query = useExperiment(experimentKey, { live: true });
  const catalog = useMetricsCatalog();
  const mayEdit = useCan("experiments");
  const e = query.data;
  const metrics = catalog.data?.metrics ?? [];
  const metricName = (id: string) => metrics.find((m) => m.id === id)?.name ?? id;
  const notFound = query.error instanceof ApiRequestError && query.error.status === 404;

  if (!e) {
    return (
      <div className="report">
        <header className="page-header">
          <div>
            <p className="breadcrumb">
              <Link href="/experiments">Experiments</Link> <span aria-hidden="true">›</span>
            </p>
            <h1>{experimentKey}</h1>
          </div>
        </header>
        {notFound ? (
          <div className="data-state data-state--empty" data-testid="data-empty">
            <p className="data-state__title">No experiment “{experimentKey}”</p>
            <p className="data-state__message">
              It may have been mistyped. See <Link href="/experiments">all experiments</Link>.
            </p>
          </div>
        ) : (
          <DataState subject="the experiment" loading={query.isPending} error={query.error} empty={false} emptyMessage={null} onRetry={() => void query.refetch()} skeleton={<SkeletonRows rows={8} />}>
            {null}
          </DataState>
        )}
      </div>
    );
  }

  return (
    <div className={`report ${styles.page}`} data-testid="experiment-page" data-status={e.status}>
      <Header experiment={e} mayEdit={mayEdit} />
      {query.isRefetchError ? (
        <p className={styles.stale} role="status">
          Could not refresh: showing the experiment as of {formatWhen(new Date(query.dataUpdatedAt).toISOString())}.
        </p>
      ) : null}

      <DecisionNote experiment={e} />

      <section className="panel" aria-labelledby="hypothesis-title">
        <header className="panel__header">
          <h2 id="hypothesis-title">Hypothesis</h2>
        </header>
        {e.hypothesis ? <p className={styles.prose}>{e.hypothesis}</p> : <p className="muted">No hypothesis was written.</p>}
      </section>

      <div className={styles.grid}>
        <section className="panel" aria-labelledby="variants-title">
          <header className="panel__header">
            <h2 id="variants-title">Variants</h2>
            <span className="panel__meta">users assigned refresh every 5 s</span>
          </header>
          <VariantsSummary experiment={e} />
        </section>
        <section className="panel" aria-labelledby="setup-title">
          <header className="panel__header">
            <h2 id="setup-title">Who takes part, what is measured</h2>
          </header>
          <SetupSummary experiment={e} metrics={metrics} />
        </section>
      </div>

      {/* Results: health, tables, charts and settings (components/results). */}
      <section aria-label="Results" data-testid="experiment-results">
        <ExperimentResults experimentKey={e.key} />
      </section>

      <section className="panel" aria-labelledby="audit-title">
        <header className="panel__header">
          <h2 id="audit-title">Audit log</h2>
          <span className="panel__meta">every change, newest first</span>
        </header>
        <AuditLog entries={e.audit} metricName={metricName} />
      </section>
    </div>
  );
}
