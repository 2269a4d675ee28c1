import type { Metadata } from "next";
import { lastFullDays, resolveDayRange, toIsoDay } from "@/lib/format";
import { RetentionReport } from "./_components/retention-report";

export const metadata: Metadata = { title: "Retention" };

/** Cohort days in the default range: four weeks, so the older half has a complete D14. */
const DEFAULT_DAYS = 28;

/** /retention?from&to&grain=day|week&experiment=<key>: every filter lives in the URL, so links share the view. */
export default async function RetentionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const now = Date.now();
  const range = resolveDayRange(params, lastFullDays(now, DEFAULT_DAYS));
  const grain = params.grain === "week" ? "week" : "day";
  const experiment = typeof params.experiment === "string" && params.experiment.trim() ? params.experiment.trim() : null;
  return <RetentionReport filters={{ range, grain, experiment }} today={toIsoDay(now)} />;
}
