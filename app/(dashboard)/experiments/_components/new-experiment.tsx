"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { DataState, SkeletonRows } from "@/components/data-state";
import { useCreateExperiment, useMetricsCatalog } from "@/components/hooks/use-experiments";
import { useCan, useMe } from "@/components/hooks/use-me";
import { emptyDraft } from "./experiment-draft";
import { ExperimentForm } from "./experiment-form";
import { ServerError } from "./form-alerts";

/** /experiments/new: a draft, owned by whoever creates it unless they say otherwise. */
export function NewExperiment() {
  const router = useRouter();
  const me = useMe();
  const mayEdit = useCan("experiments");
  const catalog = useMetricsCatalog();
  const create = useCreateExperiment();
  const metrics = catalog.data?.metrics ?? [];

  return (
    <div className="report">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link href="/experiments">Experiments</Link> <span aria-hidden="true">›</span>
          </p>
          <h1>New experiment</h1>
          <p className="page-header__sub">Define it as a draft; start it from its page once it looks right.</p>
        </div>
      </header>
      <DataState
        subject="the metric catalog"
        loading={catalog.isPending || me.isPending}
        error={catalog.error ?? me.error}
        empty={false}
        emptyMessage={null}
        onRetry={() => void catalog.refetch()}
        skeleton={<SkeletonRows rows={8} />}>
        {mayEdit ? (
          <ExperimentForm
            mode="create"
            status="draft"
            initial={emptyDraft(me.data?.email ?? "", metrics[0]?.id ?? "")}
            metrics={metrics}
            busy={create.isPending || create.isSuccess}
            serverError={<ServerError error={create.error} />}
            onSubmit={(experiment) => create.mutate(experiment, { onSuccess: (saved) => router.push(`/experiments/${encodeURIComponent(saved.key)}`) })}
            cancelHref="/experiments"
          />
        ) : (
          <div className="data-state data-state--empty" data-testid="not-allowed">
            <p className="data-state__title">Only editors can create experiments</p>
            <p className="data-state__message">
              You are signed in as a {me.data?.role ?? "viewer"}. Ask an admin for the editor role, or go back to the{" "}
              <Link href="/experiments">experiments</Link>.
            </p>
          </div>
        )}
      </DataState>
    </div>
  );
}
