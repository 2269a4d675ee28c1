"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { DataState, SkeletonRows } from "@/components/data-state";
import { ApiRequestError } from "@/components/hooks/fetch-json";
import { useExperiment, useMetricsCatalog, useUpdateExperiment } from "@/components/hooks/use-experiments";
import { useCan, useMe } from "@/components/hooks/use-me";
import { StatusBadge, statusLabel } from "@/components/experiments/status-badge";
import type { ExperimentDetailDto } from "@/lib/api/experiments";
import { editableFields } from "@/lib/experiments/lifecycle";
import { draftFromExperiment } from "./experiment-draft";
import { ExperimentForm } from "./experiment-form";
import { ConflictAlert, ServerError } from "./form-alerts";

/**
 * /experiments/:key/edit. The form keeps the version it opened; saving sends it, and a 409 means
 * someone saved in between (or the experiment moved on). Reload remounts the form on the newest.
 */
export function EditExperiment({ experimentKey }: { experimentKey: string }) {
  const router = useRouter();
  const query = useExperiment(experimentKey);
  const catalog = useMetricsCatalog();
  const me = useMe();
  const mayEdit = useCan("experiments");
  const update = useUpdateExperiment(experimentKey);
  // What the form was opened on; replaced only by "Reload", never by a background refetch.
  const [opened, setOpened] = useState<ExperimentDetailDto | null>(null);
  const [conflict, setConflict] = useState<number | null>(null);
  if (opened === null && query.data) setOpened(query.data);
  const base = opened ?? query.data ?? null;
  const href = `/experiments/${encodeURIComponent(experimentKey)}`;

  const save = (experiment: Parameters<typeof update.mutate>[0]["experiment"]) => {
    if (!base) return;
    update.mutate(
      { version: base.version, experiment },
      {
        onSuccess: () => router.push(href),
        onError: async (error) => {
          if (!(error instanceof ApiRequestError) || error.status !== 409) return;
          // Same version on the server: the 409 is about the change itself (e.g. a locked field).
          const latest = await query.refetch();
          if (latest.data && latest.data.version !== base.version) setConflict(latest.data.version);
        },
      },
    );
  };

  const reload = async () => {
    const latest = await query.refetch();
    setOpened(latest.data ?? null);
    setConflict(null);
    update.reset();
  };

  const editable = base ? editableFields(base.status) : "none";
  return (
    <div className="report">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link href="/experiments">Experiments</Link> <span aria-hidden="true">›</span> <Link href={href}>{base?.name ?? experimentKey}</Link>{" "}
            <span aria-hidden="true">›</span>
          </p>
          <h1>Edit experiment</h1>
          {base ? (
            <p className="page-header__sub">
              <code>{base.key}</code> · <StatusBadge status={base.status} /> · version {base.version}
            </p>
          ) : null}
        </div>
      </header>
      <DataState
        subject="the experiment"
        loading={query.isPending || catalog.isPending || me.isPending}
        error={base ? catalog.error : (query.error ?? catalog.error)}
        empty={false}
        emptyMessage={null}
        onRetry={() => void Promise.all([query.refetch(), catalog.refetch()])}
        skeleton={<SkeletonRows rows={8} />}>
        {!base ? null : !mayEdit ? (
          <div className="data-state data-state--empty" data-testid="not-allowed">
            <p className="data-state__title">Only editors can change experiments</p>
            <p className="data-state__message">
              Back to <Link href={href}>{base.name}</Link>.
            </p>
          </div>
        ) : editable === "none" ? (
          <div className="data-state data-state--empty" data-testid="not-editable">
            <p className="data-state__title">A {statusLabel(base.status).toLowerCase()} experiment cannot be edited</p>
            <p className="data-state__message">
              Its definition is kept as it ran, so the results stay explainable. Back to <Link href={href}>{base.name}</Link>.
            </p>
          </div>
        ) : (
          <ExperimentForm
            key={`${base.key}@${base.version}`}
            mode="edit"
            status={base.status}
            initial={draftFromExperiment(base)}
            metrics={catalog.data?.metrics ?? []}
            busy={update.isPending || update.isSuccess}
            serverError={
              conflict !== null ? (
                <ConflictAlert openedVersion={base.version} currentVersion={conflict} onReload={() => void reload()} />
              ) : (
                <ServerError error={update.error} />
              )
            }
            onSubmit={save}
            cancelHref={href}
          />
        )}
      </DataState>
    </div>
  );
}
