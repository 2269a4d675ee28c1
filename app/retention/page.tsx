import type { Metadata } from "next";
import { lastFullDays, resolveDayRange, toIsoDay } from "@/lib/format";
import { RetentionReport } from "./_components/retention-report";

export const metadata: Metadata = { title: "Retention" };

/** Cohort days in the default range: four weeks, so the older half has a complete D14. */
const DEFAULT_DAYS = 28;

export default async function RetentionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const now = Date.now();
  const range = resolveDayRange(await searchParams, lastFullDays(now, DEFAULT_DAYS));
  return <RetentionReport range={range} today={toIsoDay(now)} />;
}
