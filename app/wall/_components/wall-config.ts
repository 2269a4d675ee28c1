import type { Channel, MinutePoint } from "@/lib/live/contract";

/** Panels of the wall, in their default order. */
export const WALL_PANELS = ["events", "viewers", "watch", "top", "genres", "retention", "pipeline", "experiments"] as const;
export type WallPanel = (typeof WALL_PANELS)[number];

/** The channel each panel reads. */
export const PANEL_CHANNEL: Readonly<Record<WallPanel, Channel>> = {
  events: "overview",
  viewers: "overview",
  watch: "overview",
  top: "overview",
  genres: "genres",
  retention: "retention",
  pipeline: "pipeline",
  experiments: "experiments",
};

/** With `?rotate=`, the screens of the playlist: each shows the chosen panels of its theme. */
export const WALL_SLIDES: readonly { title: string; panels: readonly WallPanel[] }[] = [
  { title: "Watching now", panels: ["events", "viewers", "watch", "top"] },
  { title: "Audience", panels: ["genres", "retention"] },
  { title: "Operations", panels: ["pipeline", "experiments"] },
];

const MIN_ROTATE_SEC = 5;
const MAX_ROTATE_SEC = 3_600;

export interface WallConfig {
  /** Chosen panels, in the order given (all of them when none were named). */
  panels: WallPanel[];
  /** Seconds per screen, or null for one screen with every chosen panel. */
  rotateSec: number | null;
}

type Param = string | string[] | undefined;
const first = (value: Param) => (Array.isArray(value) ? value[0] : value);

/**
 * `?panels=events,top&rotate=30` → the wall's configuration. A wall URL is typed once into a TV's
 * browser and never looked at again, so mistakes degrade gently: unknown panel names are ignored
 * (none left → all panels), and a rotation outside 5 s–1 h is clamped, a non-number ignored.
 */
export function parseWallConfig(params: { panels?: Param; rotate?: Param }): WallConfig {
  const named = (first(params.panels) ?? "")
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter((p): p is WallPanel => (WALL_PANELS as readonly string[]).includes(p));
  const panels = named.length > 0 ? [...new Set(named)] : [...WALL_PANELS];
  const rotate = Number(first(params.rotate));
  const rotateSec = first(params.rotate) && Number.isFinite(rotate) && rotate > 0 ? Math.min(MAX_ROTATE_SEC, Math.max(MIN_ROTATE_SEC, Math.round(rotate))) : null;
  return { panels, rotateSec };
}

export interface WallScreenPlan {
  title: string | null;
  panels: WallPanel[];
}

/** The screens to show: one with every chosen panel, or the playlist's screens that have any. */
export function planScreens(config: WallConfig): WallScreenPlan[] {
  if (config.rotateSec === null) return [{ title: null, panels: config.panels }];
  const screens = WALL_SLIDES.map((s) => ({ title: s.title, panels: config.panels.filter((p) => s.panels.includes(p)) })).filter(
    (s) => s.panels.length > 0,
  );
  return screens.length > 0 ? screens : [{ title: null, panels: config.panels }];
}

export function channelsOf(panels: readonly WallPanel[]): Set<Channel> {
  return new Set(panels.map((p) => PANEL_CHANNEL[p]));
}

export interface SlidingPoint {
  /** Last minute of the window, epoch ms. */
  minute: number;
  /** Watch minutes per minute, averaged over the window (or the minutes of it the hour holds). */
  perMinute: number;
}

/**
 * Watch minutes per minute over a 5-minute window sliding by a minute, for each complete minute of
 * the series that ends a whole window (the hour's first four minutes only start one). The newest
 * point of a live series is the minute in progress, which always looks like a drop: left out.
 */
export function slidingWatchMinutes(series: readonly MinutePoint[], windowMinutes = 5): SlidingPoint[] {
  const complete = series.slice(0, -1);
  const out: SlidingPoint[] = [];
  let sum = 0;
  for (let i = 0; i < complete.length; i++) {
    sum += complete[i]!.watchMinutes;
    if (i >= windowMinutes) sum -= complete[i - windowMinutes]!.watchMinutes;
    if (i >= windowMinutes - 1) out.push({ minute: complete[i]!.minute, perMinute: sum / windowMinutes });
  }
  return out;
}

export type Movement = { kind: "new" } | { kind: "up" | "down"; places: number } | { kind: "same" };

/** Rank change against the window 5 minutes earlier (`rankBefore` null: not watched then). */
export function movementOf(rank: number, rankBefore: number | null): Movement {
  if (rankBefore === null) return { kind: "new" };
  if (rankBefore === rank) return { kind: "same" };
  return rankBefore > rank ? { kind: "up", places: rankBefore - rank } : { kind: "down", places: rank - rankBefore };
}

export type Tone = "ok" | "warn" | "bad";

/** How far behind the aggregator is, in seconds of its current throughput; null when unknown. */
export function secondsBehind(lag: number | null, outPerSec: number | null, inPerSec: number | null): number | null {
  if (lag === null) return null;
  if (lag === 0) return 0;
  const rate = Math.max(outPerSec ?? 0, inPerSec ?? 0);
  return rate > 0 ? lag / rate : null;
}

export function lagTone(lag: number | null, behindSec: number | null): Tone {
  if (lag === null) return "bad";
  if (behindSec === null) return lag > 1_000 ? "warn" : "ok";
  return behindSec < 10 ? "ok" : behindSec < 60 ? "warn" : "bad";
}
