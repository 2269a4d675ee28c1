import { NO_VALUE } from "@/lib/format";

/** An age in words, coarser as it grows: 4_000 → "4 s ago", 150_000 → "2 min ago", 7_200_000 → "2 h ago". */
export function formatAgo(ageMs: number): string {
  if (!Number.isFinite(ageMs)) return NO_VALUE;
  const sec = Math.max(0, Math.round(ageMs / 1000));
  if (sec < 60) return `${sec} s ago`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} d ago`;
}
