import type { Metadata } from "next";
import { lastFullDays, resolveDayRange, toIsoDay } from "@/lib/format";
import { UserReport } from "./_components/user-report";

export const metadata: Metadata = { title: "User" };

/** Four weeks: the simulated history, and long enough to see a weekly rhythm. */
const DEFAULT_DAYS = 28;

/** /users/<id>?from&to. The range ends today by default: a user looked up now was often active today. */
export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const now = Date.now();
  const today = toIsoDay(now);
  const fallback = lastFullDays(now, DEFAULT_DAYS - 1);
  const range = resolveDayRange(await searchParams, { from: fallback.from, to: today });
  return <UserReport userId={decodeURIComponent(id)} range={range} today={today} />;
}
