"use client";

import Link from "next/link";
import { DataState, SkeletonRows } from "@/components/data-state";
import { statusLabel } from "@/components/experiments/status-badge";
import { EXPERIMENTS_REFRESH_MS, useExperiments } from "@/components/hooks/use-experiments";
import { useCan } from "@/components/hooks/use-me";
import type { ExperimentDto } from "@/lib/api/experiments";
import { EXPERIMENT_STATUSES, type ExperimentStatus } from "@/lib/experiments/assign";
import { formatClockTime, formatInteger } from "@/lib/format";
import { ExperimentsTable } from "./experiments-table";
import styles from "./experiments.module.css";

/** Status chips as links: the filter lives in the URL, so a filtered list can be shared. */
function StatusFilter({ active, experiments }: { active: ExperimentStatus | null; experiments: readonly ExperimentDto[] | undefined }) {
  const count = (status: ExperimentStatus | null) => (experiments ? experiments.filter((e) => status === null || e.status === status).length : null);
  const options: (ExperimentStatus | null)[] = [null, ...EXPERIMENT_STATUSES];
  return (
    <nav aria-label="Filter by status" className={styles.filter}>
      <ul>
        {options.map((status) => {
          const n = count(status);
          const current = status === active;
          return (
            <li key={status ?? "all"}>
              <Link
                href={status ? { pathname: "/experiments", query: { status } } : "/experiments"}
                scroll={false}
                className={`chip${current ? " chip--active" : ""}`}
                aria-current={current ? "page" : undefined}
                data-testid={`filter-${status ?? "all"}`}>
                {status ? statusLabel(status) : "All"}
                {n !== null ? <span className={styles.filterCount}>{n}</span> : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function EmptyList({ status, mayEdit }: { status: ExperimentStatus | null; mayEdit: boolean }) {
  if (status) {
    return (
      <div className="data-state data-state--empty" data-testid="data-empty">
        <p className="data-state__title">No {statusLabel(status).toLowerCase()} experiments</p>
        <p className="data-state__message">
          <Link href="/experiments">Show all experiments</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="data-state data-state--empty" data-testid="data-empty">
      <p className="data-state__title">No experiments yet…</p>
      <p className="data-state__message">
        An experiment splits users between variants of the product and compares what they watch.{" "}
        {mayEdit
          ? "Create one with “New experiment”: it starts as a draft, and nobody is assigned until you start it."
          : "Editors create them; they will appear here, with their users and health."}
      </p>
      {mayEdit ? (
        <Link href="/experiments/new" className="button button--primary">
          New experiment
        </Link>
      ) : null}
    </div>
  );
}

/** Every experiment, newest first, with live assignment counts (refreshed every 5 s). */
export function ExperimentsList({ status }: { status: ExperimentStatus | null }) {
  const query = useExperiments();
  const mayEdit = useCan("experiments");
  const all = query.data?.experiments;
  const shown = all?.filter((e) => status === null || e.status === status) ?? [];
  const refreshFailed = query.isRefetchError && all !== undefined;
  const totalUsers = all?.reduce((s, e) => s + e.assignedTotal, 0);

  return (
    <div className="report">
      <header className="page-header">
        <div>
          <h1>Experiments</h1>
          <p className="page-header__sub">
            {refreshFailed ? (
              <span className={styles.stale} role="status">Could not refresh; showing counts from {formatClockTime(query.dataUpdatedAt)}</span>
            ) : all ? (
              <>
                {formatInteger(all.length)} experiments · {formatInteger(totalUsers ?? 0)} users assigned ·{" "}
                <span className="num">as of {formatClockTime(query.dataUpdatedAt)}</span>
              </>
            ) : (
              `Configuration, lifecycle and health; counts refresh every ${EXPERIMENTS_REFRESH_MS / 1000} s`
            )}
          </p>
        </div>
        {mayEdit ? (
          <Link href="/experiments/new" className="button button--primary" data-testid="new-experiment">
            New experiment
          </Link>
        ) : null}
      </header>

      <StatusFilter active={status} experiments={all} />

      <section className="panel" aria-label={status ? `${statusLabel(status)} experiments` : "All experiments"}>
        <DataState
          subject="experiments"
          loading={query.isPending}
          error={all ? null : query.error}
          empty={false}
          emptyMessage={null}
          onRetry={() => void query.refetch()}
          skeleton={<SkeletonRows rows={6} />}>
          {shown.length === 0 ? <EmptyList status={status} mayEdit={mayEdit} /> : <ExperimentsTable experiments={shown} />}
        </DataState>
      </section>
    </div>
  );
}
