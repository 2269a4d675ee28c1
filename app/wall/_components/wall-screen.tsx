"use client";

import { useEffect, useState, type CSSProperties, type ReactNode } from "react";
import { useSocketChannel, type ConnectionState, type SocketChannel } from "@/components/hooks/use-socket-channel";
import { formatClockMinute } from "@/lib/format";
import type { Channel, GenresSnapshot, OverviewSnapshot } from "@/lib/live/contract";
import { channelsOf, planScreens, type WallConfig, type WallPanel } from "./wall-config";
import { WallMessage } from "./wall-message";
import {
  EventsPanel,
  ExperimentsPanel,
  GenresPanel,
  PipelinePanel,
  RetentionPanel,
  TopTitlesPanel,
  ViewersPanel,
  WatchPanel,
} from "./wall-panels";
import styles from "./wall.module.css";

/** Snapshots rendered with the page, per channel. */
export interface WallInitial {
  overview?: OverviewSnapshot;
  genres?: GenresSnapshot;
}

const STATE_RANK: Record<ConnectionState, number> = { live: 0, reconnecting: 1, offline: 2 };

interface WallConnection {
  state: ConnectionState;
  note: string | null;
  /** Client clock when the screen stopped being live: the newest snapshot still on it. */
  staleSince: number | null;
  refused: string | null;
}

/** One indicator for every channel on screen: the worst state, and since when the screen is stale. */
function combine(feeds: SocketChannel<unknown>[]): WallConnection {
  let worst: SocketChannel<unknown> | undefined;
  let staleSince: number | null = null;
  let refused: string | null = null;
  for (const f of feeds) {
    if (!worst || STATE_RANK[f.status.state] > STATE_RANK[worst.status.state]) worst = f;
    if (f.staleSince !== null) staleSince = Math.max(staleSince ?? 0, f.staleSince);
    refused ??= f.status.refused;
  }
  return { state: worst?.status.state ?? "reconnecting", note: worst?.status.note ?? null, staleSince, refused };
}

/** The clock, rendered only in the browser so the server's time never flashes on screen. */
function useNow(periodMs: number): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    // Aligned to the second, so the clock does not tick up to a second late.
    let timer = window.setTimeout(function tick() {
      setNow(Date.now());
      timer = window.setTimeout(tick, periodMs - (Date.now() % periodMs));
    }, periodMs - (Date.now() % periodMs));
    return () => window.clearTimeout(timer);
  }, [periodMs]);
  return now;
}

function useRotation(count: number, seconds: number | null): number {
  const [index, setIndex] = useState(0);
  useEffect(() => {
    if (seconds === null || count < 2) return;
    const timer = window.setInterval(() => setIndex((i) => (i + 1) % count), seconds * 1000);
    return () => window.clearInterval(timer);
  }, [count, seconds]);
  return count > 0 ? index % count : 0;
}

function Clock({ now }: { now: number | null }) {
  if (now === null) return <time className={styles.clock} />;
  const seconds = String(new Date(now).getSeconds()).padStart(2, "0");
  return (
    <time className={styles.clock} dateTime={new Date(now).toISOString()} data-testid="wall-clock">
      {formatClockMinute(now)}
      <span className={styles.clockSeconds}>:{seconds}</span>
    </time>
  );
}

const LABEL: Record<ConnectionState, string> = { live: "Live", reconnecting: "Reconnecting…", offline: "Offline" };

function ConnectionIndicator({ connection }: { connection: WallConnection }) {
  const { state, note, staleSince } = connection;
  const label = state === "reconnecting" && note ? note : LABEL[state];
  return (
    <div className={`${styles.connection} ${styles[`connection_${state}`]}`} data-testid="wall-connection" data-state={state} role="status">
      <span className={styles.connectionDot} aria-hidden="true" />
      <span className={styles.connectionLabel}>
        {label}
        {state === "offline" && note ? <span className={styles.connectionNote}> · {note}</span> : null}
      </span>
      {staleSince !== null ? (
        <span className={styles.stale} data-testid="wall-stale">
          stale since {formatClockMinute(staleSince)}
        </span>
      ) : null}
    </div>
  );
}

/**
 * The kiosk: every chosen panel on one screen, or a playlist of themed screens (`rotate`). All the
 * data arrives over socket.io with the wall token; nothing here needs a click, ever: the hooks
 * reconnect with backoff, resubscribe, and the newest snapshot on each (re)subscribe catches up.
 */
export function WallScreen({ token, config, initial = {} }: { token: string | null; config: WallConfig; initial?: WallInitial }) {
  const needed = channelsOf(config.panels);
  const opts = (channel: Channel) => ({
    token: token ?? undefined,
    enabled: needed.has(channel),
  });
  const overview = useSocketChannel("overview", "overview:snapshot", { ...opts("overview"), initial: initial.overview });
  const genres = useSocketChannel("genres", "genres:snapshot", { ...opts("genres"), initial: initial.genres });
  const retention = useSocketChannel("retention", "retention:snapshot", opts("retention"));
  const pipeline = useSocketChannel("pipeline", "pipeline:snapshot", opts("pipeline"));
  const experiments = useSocketChannel("experiments", "experiments:snapshot", opts("experiments"));
  const feeds: SocketChannel<unknown>[] = [];
  if (needed.has("overview")) feeds.push(overview);
  if (needed.has("genres")) feeds.push(genres);
  if (needed.has("retention")) feeds.push(retention);
  if (needed.has("pipeline")) feeds.push(pipeline);
  if (needed.has("experiments")) feeds.push(experiments);
  const connection = combine(feeds);

  // From navigation to the first figures on screen (the page's own snapshot paints with the HTML)
  // and to the first snapshot over the socket: for the e2e check and for whoever asks.
  const [timing, setTiming] = useState<{ firstFrameMs: number | null; firstLiveMs: number | null }>({ firstFrameMs: null, firstLiveMs: null });
  const hasData = feeds.some((f) => f.latest !== undefined);
  const hasLive = feeds.some((f) => f.receivedAt !== null && f.status.state === "live");
  useEffect(() => {
    if (!hasData || timing.firstFrameMs !== null) return;
    const paint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime;
    const rendered = initial.overview !== undefined || initial.genres !== undefined;
    setTiming((t) => ({ ...t, firstFrameMs: Math.round(rendered && paint !== undefined ? paint : performance.now()) }));
  }, [hasData, timing.firstFrameMs, initial.overview, initial.genres]);
  useEffect(() => {
    if (hasLive && timing.firstLiveMs === null) setTiming((t) => ({ ...t, firstLiveMs: Math.round(performance.now()) }));
  }, [hasLive, timing.firstLiveMs]);

  // Load the charts' script now, whichever screen comes first: fetched hours later, after a deploy,
  // it might no longer exist on the server.
  useEffect(() => {
    void import("./wall-charts");
  }, []);

  const screens = planScreens(config);
  const index = useRotation(screens.length, config.rotateSec);
  const screen = screens[index] ?? screens[0]!;
  const now = useNow(1_000);

  if (connection.refused && !hasData) return <WallMessage kind="refused" detail={connection.refused} />;

  const panel = (p: WallPanel): ReactNode => {
    switch (p) {
      case "events":
        return <EventsPanel key={p} overview={overview.latest} />;
      case "viewers":
        return <ViewersPanel key={p} overview={overview.latest} />;
      case "watch":
        return <WatchPanel key={p} overview={overview.latest} />;
      case "top":
        return <TopTitlesPanel key={p} overview={overview.latest} />;
      case "genres":
        return <GenresPanel key={p} genres={genres.latest} />;
      case "retention":
        return <RetentionPanel key={p} retention={retention.latest} />;
      case "pipeline":
        return <PipelinePanel key={p} pipeline={pipeline.latest} />;
      case "experiments":
        return <ExperimentsPanel key={p} experiments={experiments.latest} />;
    }
  };

  return (
    <div
      className={`${styles.wall} ${connection.staleSince !== null ? styles.wallStale : ""}`}
      data-testid="wall"
      data-state={connection.state}
      data-first-frame-ms={timing.firstFrameMs ?? undefined}
      data-first-live-ms={timing.firstLiveMs ?? undefined}
      style={{ "--rotate-sec": config.rotateSec ?? 0 } as CSSProperties}
    >
      <header className={styles.header}>
        <p className={styles.brand}>
          <span className={styles.brandMark} aria-hidden="true" />
          Showrunner <span className={styles.brandLive}>live</span>
        </p>
        {screens.length > 1 ? (
          <div className={styles.slides} aria-label={`screen ${index + 1} of ${screens.length}`}>
            <span className={styles.slideTitle}>{screen.title}</span>
            <span className={styles.slideDots} aria-hidden="true">
              {screens.map((s, i) => (
                <span key={s.title} className={i === index ? styles.slideDotOn : styles.slideDot} />
              ))}
            </span>
          </div>
        ) : (
          <span />
        )}
        <ConnectionIndicator connection={connection} />
        <Clock now={now} />
      </header>
      {connection.refused ? (
        <p className={styles.refusedBanner} role="alert">
          Token refused: {connection.refused}. Showing the last figures received.
        </p>
      ) : null}
      <main
        key={index}
        className={`${styles.grid} ${styles[`layout_${layoutOf(screen.panels)}`] ?? ""}`}
        data-layout={layoutOf(screen.panels)}
        data-count={screen.panels.length}
      >
        {screen.panels.map(panel)}
      </main>
      {screens.length > 1 ? <div key={`progress-${index}`} className={styles.progress} aria-hidden="true" /> : null}
    </div>
  );
}

const FULL: readonly WallPanel[] = ["events", "viewers", "watch", "top", "genres", "retention", "pipeline", "experiments"];
const NOW: readonly WallPanel[] = ["events", "viewers", "watch", "top"];

/** Hand-made arrangements for the usual sets; any other set gets an even grid. */
function layoutOf(panels: readonly WallPanel[]): string {
  const has = (set: readonly WallPanel[]) => set.length === panels.length && set.every((p) => panels.includes(p));
  if (has(FULL)) return "full";
  if (has(NOW)) return "now";
  return `n${Math.min(panels.length, 8)}`;
}
