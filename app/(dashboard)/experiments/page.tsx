import type { Metadata } from "next";
import { EXPERIMENT_STATUSES, type ExperimentStatus } from "@/lib/experiments/assign";
import { ExperimentsList } from "./_components/experiments-list";

export const metadata: Metadata = { title: "Experiments" };

/** `?status=running` filters the list; anything else shows every experiment. */
export default async function ExperimentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { status } = await searchParams;
  const filter = EXPERIMENT_STATUSES.find((s) => s === status) ?? null;
  return <ExperimentsList status={filter as ExperimentStatus | null} />;
}
