import type { Metadata } from "next";
import { lastFullDays, resolveDayRange, toIsoDay } from "@/lib/format";
import { TitleReport } from "./_components/title-report";

export const metadata: Metadata = { title: "Title" };

/** The same default as /titles: the last full week. */
const DEFAULT_DAYS = 7;

/** /titles/<id>?from&to: one title's daily curve and its numbers for the range. */
export default async function TitlePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const now = Date.now();
  const range = resolveDayRange(await searchParams, lastFullDays(now, DEFAULT_DAYS));
  return <TitleReport titleId={decodeURIComponent(id)} range={range} today={toIsoDay(now)} />;
}
