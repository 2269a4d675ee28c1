/**
 * JSON shapes of the HTTP API (README lists the routes). Dates are ISO strings, days YYYY-MM-DD (UTC).
 * Errors: `{ error: string }` with a 4xx/5xx status.
 */
import type { OverviewSnapshot } from "../live/contract";

export interface ApiError {
  error: string;
}

export interface HealthResponse {
  status: "ok" | "degraded";
  database: "ok" | "down";
  log: { kind: "memory" | "kafka"; ok: boolean };
  /** Seconds since the process started. */
  uptimeSec: number;
  version: string;
}

export interface TopTitle {
  titleId: string;
  name: string;
  genre: string | null;
  releaseYear: number | null;
  totalWatchSeconds: number;
  views: number;
  uniqueViewers: number;
  /** Seconds per watch event. */
  avgWatchSeconds: number;
}
export interface TopTitlesResponse {
  from: string;
  to: string;
  titles: TopTitle[];
}

export interface UserDay {
  day: string;
  watchSeconds: number;
  watchCount: number;
  distinctTitles: number;
  sessions: number;
  likes: number;
  dislikes: number;
  searches: number;
  ratings: number;
}
export interface UserDailyResponse {
  userId: string;
  from: string;
  to: string;
  firstWatchDay: string | null;
  days: UserDay[];
}

export interface RetentionCohort {
  /** Cohort day: users whose first watch was on this UTC day. */
  cohort: string;
  size: number;
  /** retained[n] = users of the cohort who watched on cohort + n days (n = 0 is the cohort size). */
  retained: number[];
}
export interface RetentionResponse {
  from: string;
  to: string;
  maxDay: number;
  cohorts: RetentionCohort[];
}

export interface EventsAccepted {
  accepted: number;
}

export type OverviewResponse = OverviewSnapshot;
