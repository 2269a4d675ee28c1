import type { Metadata } from "next";
import { lastFullDays, resolveDayRange, toIsoDay } from "@/lib/format";
import { TitlesReport } from "./_components/titles-report";

export const metadata: Metadata = { title: "Top titles" };

/** Days in the default range: the last full week, so every weekday counts once. */
const DEFAULT_DAYS = 7;

export default async function TitlesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const now = Date.now();
  const range = resolveDayRange(await searchParams, lastFullDays(now, DEFAULT_DAYS));
  return <TitlesReport range={range} today={toIsoDay(now)} />;
}
