"use client";

import type { ReactNode } from "react";
import type {
  ExperimentVariantNow,
  ExperimentsSnapshot,
  GenresSnapshot,
  OverviewSnapshot,
  PipelineLagSnapshot,
  RetentionTrendSnapshot,
} from "@/lib/live/contract";
import { formatClockMinute, formatCount, formatDayShort, formatInteger, formatPercent, formatRate, NO_VALUE } from "@/lib/format";
import dynamic from "next/dynamic";
import { formatLift, formatLiftInterval, formatMetricValue } from "@/components/results/format";
import { getMetric, type MetricDefinition } from "@/lib/metrics/catalog";
import { lagTone, movementOf, secondsBehind, slidingWatchMinutes, type Movement } from "./wall-config";
import styles from "./wall.module.css";

type Unit = MetricDefinition["unit"];

// Charts (recharts) load after the figures: they are most of the page's script, and the first
// socket frame should not wait for them.
const SlidingWatchChart = dynamic(() => import("./wall-charts").then((m) => m.SlidingWatchChart), { ssr: false });
const EventsSparkline = dynamic(() => import("./wall-charts").then((m) => m.EventsSparkline), { ssr: false });
const RetentionTrendChart = dynamic(() => import("./wall-charts").then((m) => m.RetentionTrendChart), { ssr: false });

function Panel({ id, title, meta, children }: { id: string; title: string; meta?: ReactNode; children: ReactNode }) {
  return (
    <section className={styles.panel} data-panel={id} data-testid={`wall-panel-${id}`} aria-labelledby={`wall-${id}-title`}>
      <header className={styles.panelHeader}>
        <h2 id={`wall-${id}-title`} className={styles.panelTitle}>
          {title}
        </h2>
        {meta ? <span className={styles.panelMeta}>{meta}</span> : null}
      </header>
      <div className={styles.panelBody}>{children}</div>
    </section>
  );
}

function Figure({ value, raw, unit, testId, tone }: { value: string; raw?: number | null; unit?: string; testId: string; tone?: string }) {
  return (
    <p className={`${styles.figure} ${tone ? styles[`tone_${tone}`] : ""}`} data-testid={testId} data-value={raw ?? undefined}>
      <span className={styles.figureValue}>{value}</span>
      {unit ? <span className={styles.figureUnit}>{unit}</span> : null}
    </p>
  );
}

const Waiting = () => <p className={styles.waiting}>Waiting for the first figures…</p>;

export function EventsPanel({ overview }: { overview: OverviewSnapshot | undefined }) {
  return (
    <Panel id="events" title="Events per second" meta="10 s avg">
      {overview ? (
        <div className={styles.statBody}>
          <Figure testId="wall-events-per-sec" value={formatRate(overview.eventsPerSec)} raw={overview.eventsPerSec} />
          <div className={styles.sparkline} aria-hidden="true">
            <EventsSparkline series={overview.series} />
          </div>
        </div>
      ) : (
        <Waiting />
      )}
    </Panel>
  );
}

export function ViewersPanel({ overview }: { overview: OverviewSnapshot | undefined }) {
  return (
    <Panel id="viewers" title="Active viewers" meta="last 5 min">
      {overview ? (
        <div className={styles.statBody}>
          <Figure testId="wall-active-viewers" value={formatCount(overview.activeViewers)} raw={overview.activeViewers} />
          <p className={styles.statHint}>distinct users watching, liking or searching</p>
        </div>
      ) : (
        <Waiting />
      )}
    </Panel>
  );
}

export function WatchPanel({ overview }: { overview: OverviewSnapshot | undefined }) {
  const points = overview ? slidingWatchMinutes(overview.series) : [];
  const now = points.at(-1);
  return (
    <Panel id="watch" title="Watch minutes per minute" meta="5-min window sliding by the minute · last hour">
      {overview ? (
        <div className={styles.watchBody}>
          <Figure testId="wall-watch-per-minute" value={now ? formatInteger(now.perMinute) : NO_VALUE} raw={now?.perMinute} unit="min / min" />
          <div className={styles.chart} data-testid="wall-watch-chart">
            <SlidingWatchChart points={points} />
          </div>
        </div>
      ) : (
        <Waiting />
      )}
    </Panel>
  );
}

function MovementMark({ movement }: { movement: Movement }) {
  switch (movement.kind) {
    case "new":
      return <span className={`${styles.move} ${styles.moveNew}`}>new</span>;
    case "same":
      return (
        <span className={`${styles.move} ${styles.moveSame}`} aria-label="same rank">
          –
        </span>
      );
    case "up":
      return (
        <span className={`${styles.move} ${styles.moveUp}`} aria-label={`up ${movement.places}`}>
          ▲{movement.places}
        </span>
      );
    case "down":
      return (
        <span className={`${styles.move} ${styles.moveDown}`} aria-label={`down ${movement.places}`}>
          ▼{movement.places}
        </span>
      );
  }
}

export function TopTitlesPanel({ overview }: { overview: OverviewSnapshot | undefined }) {
  const titles = overview?.topTitles ?? [];
  const top = Math.max(1, ...titles.map((t) => t.watchMinutes));
  return (
    <Panel id="top" title="Top titles now" meta="last 5 min · ▲▼ vs 5 min ago">
      {!overview ? (
        <Waiting />
      ) : titles.length === 0 ? (
        <p className={styles.waiting}>Nothing watched in the last 5 minutes.</p>
      ) : (
        <ol className={styles.topList} data-testid="wall-top-titles">
          {titles.map((t, i) => (
            <li key={t.titleId} className={styles.topRow} data-title-id={t.titleId} data-movement={movementOf(i + 1, t.rankBefore).kind}>
              <span className={styles.topRank}>{i + 1}</span>
              <MovementMark movement={movementOf(i + 1, t.rankBefore)} />
              <span className={styles.topName}>
                <span className={styles.topBar} style={{ width: `${(t.watchMinutes / top) * 100}%` }} aria-hidden="true" />
                <span className={styles.topNameText}>{t.name}</span>
                {t.genre ? <span className={styles.topGenre}>{t.genre}</span> : null}
              </span>
              <span className={styles.topValue} data-value={t.watchMinutes}>
                {formatInteger(t.watchMinutes)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}

const GENRES_SHOWN = 7;

export function GenresPanel({ genres }: { genres: GenresSnapshot | undefined }) {
  const rows = genres?.genres ?? [];
  const shown = rows.length > GENRES_SHOWN + 1 ? rows.slice(0, GENRES_SHOWN) : rows;
  const rest = rows.slice(shown.length);
  const other = rest.length > 0 ? { label: `${rest.length} more`, share: rest.reduce((s, g) => s + g.share, 0) } : null;
  const top = Math.max(0.0001, ...shown.map((g) => g.share), other?.share ?? 0);
  return (
    <Panel id="genres" title="Genre mix now" meta="watch time, 5 min">
      {!genres ? (
        <Waiting />
      ) : rows.length === 0 ? (
        <p className={styles.waiting}>Nothing watched in the last 5 minutes.</p>
      ) : (
        <ul className={styles.bars} data-testid="wall-genres">
          {[...shown.map((g) => ({ label: g.genre ?? "Not in catalog", share: g.share })), ...(other ? [other] : [])].map((g) => (
            <li key={g.label} className={styles.barRow}>
              <span className={styles.barLabel}>{g.label}</span>
              <span className={styles.barTrack} aria-hidden="true">
                <span className={styles.barFill} style={{ width: `${(g.share / top) * 100}%` }} />
              </span>
              <span className={styles.barValue}>{formatPercent(g.share, 0)}</span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

export function RetentionPanel({ retention }: { retention: RetentionTrendSnapshot | undefined }) {
  const points = retention?.points ?? [];
  const lastD1 = points.findLast((p) => p.d1 !== null);
  const lastD7 = points.findLast((p) => p.d7 !== null);
  return (
    <Panel id="retention" title="Retention" meta="by first-watch day">
      {!retention ? (
        <Waiting />
      ) : points.length === 0 ? (
        <p className={styles.waiting}>No cohorts yet.</p>
      ) : (
        <div className={styles.retentionBody}>
          <div className={styles.retentionFigures}>
            <p className={styles.pair}>
              <span className={`${styles.key} ${styles.keyD1}`} aria-hidden="true" />
              <span className={styles.pairLabel}>D1</span>
              <span className={styles.pairValue} data-testid="wall-retention-d1">
                {lastD1?.d1 != null ? formatPercent(lastD1.d1, 0) : NO_VALUE}
              </span>
              <span className={styles.pairHint}>{lastD1 ? formatDayShort(lastD1.cohort) : ""}</span>
            </p>
            <p className={styles.pair}>
              <span className={`${styles.key} ${styles.keyD7}`} aria-hidden="true" />
              <span className={styles.pairLabel}>D7</span>
              <span className={styles.pairValue} data-testid="wall-retention-d7">
                {lastD7?.d7 != null ? formatPercent(lastD7.d7, 0) : NO_VALUE}
              </span>
              <span className={styles.pairHint}>{lastD7 ? formatDayShort(lastD7.cohort) : ""}</span>
            </p>
          </div>
          <div className={styles.chart}>
            <RetentionTrendChart points={points} />
          </div>
        </div>
      )}
    </Panel>
  );
}

function formatBehind(sec: number | null): string {
  if (sec === null) return "";
  if (sec < 1) return "caught up";
  if (sec < 120) return `≈ ${Math.round(sec)} s behind`;
  return `≈ ${Math.round(sec / 60)} min behind`;
}

export function PipelinePanel({ pipeline }: { pipeline: PipelineLagSnapshot | undefined }) {
  const behind = pipeline ? secondsBehind(pipeline.totalLag, pipeline.outPerSec, pipeline.inPerSec) : null;
  const tone = pipeline ? lagTone(pipeline.totalLag, behind) : undefined;
  return (
    <Panel id="pipeline" title="Pipeline lag" meta={pipeline?.logOk === false ? "log unreachable" : "messages behind"}>
      {!pipeline ? (
        <Waiting />
      ) : (
        <div className={styles.statBody}>
          <Figure
            testId="wall-pipeline-lag"
            value={pipeline.totalLag === null ? NO_VALUE : formatCount(pipeline.totalLag)}
            raw={pipeline.totalLag}
            tone={tone}
          />
          {pipeline.alert ? (
            <p className={`${styles.statHint} ${styles.tone_bad}`} role="alert" data-testid="wall-pipeline-alert">
              {pipeline.alert}
            </p>
          ) : (
            <p className={`${styles.statHint} ${tone ? styles[`tone_${tone}`] : ""}`}>{pipeline.logOk ? formatBehind(behind) : "log unreachable"}</p>
          )}
          <dl className={styles.facts}>
            <div>
              <dt>in</dt>
              <dd>{pipeline.inPerSec === null ? NO_VALUE : `${formatRate(pipeline.inPerSec)}/s`}</dd>
            </div>
            <div>
              <dt>out</dt>
              <dd>{pipeline.outPerSec === null ? NO_VALUE : `${formatRate(pipeline.outPerSec)}/s`}</dd>
            </div>
            <div>
              <dt>commit</dt>
              <dd>{pipeline.lastCommitAt === null ? NO_VALUE : formatClockMinute(pipeline.lastCommitAt)}</dd>
            </div>
            <div>
              <dt>dead</dt>
              <dd className={pipeline.deadLettered > 0 ? styles.tone_warn : undefined}>{formatCount(pipeline.deadLettered)}</dd>
            </div>
          </dl>
        </div>
      )}
    </Panel>
  );
}

const EXPERIMENTS_SHOWN = 3;

/** Verdicts told apart by symbol as well as colour (blue/orange reads for colour-blind viewers too). */
const VERDICT_MARK = { better: "▲", worse: "▼", "not yet clear": "○" } as const;

function VariantNow({ v, unit, total }: { v: ExperimentVariantNow; unit: Unit; total: number }) {
  return (
    <li className={styles.variantRow} data-variant-key={v.key} data-verdict={v.lift?.verdict ?? "none"}>
      <span className={v.isControl ? styles.variantControl : styles.variantName}>{v.name}</span>
      <span className={styles.variantUsers} data-testid="wall-variant-users">
        {formatCount(v.users)}
        {total > 0 ? <span className={styles.variantShare}> ({formatPercent(v.users / total, 0)})</span> : null}
      </span>
      <span className={styles.variantValue} data-testid="wall-variant-primary">
        {formatMetricValue(v.primary, unit)}
      </span>
      <span className={`${styles.variantLift} ${v.lift ? styles[`verdict_${v.lift.verdict.replace(/ /g, "_")}`] : ""}`} title={v.lift ? `${formatLiftInterval(v.lift.lower, v.lift.upper)}, ${v.lift.verdict}` : undefined}>
        {v.isControl ? "control" : v.lift ? `${VERDICT_MARK[v.lift.verdict]} ${formatLift(v.lift.estimate)}` : NO_VALUE}
      </span>
    </li>
  );
}

export function ExperimentsPanel({ experiments }: { experiments: ExperimentsSnapshot | undefined }) {
  const list = experiments?.experiments ?? [];
  const alerts = list.flatMap((e) => e.guardrailAlerts.map((a) => ({ ...a, experiment: e.name, variant: e.variants.find((v) => v.key === a.variantKey)?.name ?? a.variantKey })));
  return (
    <Panel id="experiments" title="Experiments" meta={list.length > EXPERIMENTS_SHOWN ? `newest ${EXPERIMENTS_SHOWN} of ${list.length}` : "primary metric per variant"}>
      {!experiments ? (
        <Waiting />
      ) : list.length === 0 ? (
        <p className={styles.waiting}>No experiment is running.</p>
      ) : (
        <div className={styles.experiments}>
          {alerts.length > 0 ? (
            <p className={styles.guardrailAlert} role="alert" data-testid="wall-guardrail-alert">
              ⚠ Guardrail: {alerts[0]!.metricName} worse in {alerts[0]!.experiment} / {alerts[0]!.variant} {alerts[0]!.summary.split(",")[0]}
              {alerts.length > 1 ? ` (+${alerts.length - 1} more)` : ""}
            </p>
          ) : null}
          <ul className={styles.experimentList} data-testid="wall-experiments">
            {list.slice(0, EXPERIMENTS_SHOWN).map((e) => {
              const total = e.variants.reduce((s, v) => s + v.users, 0);
              const metric = getMetric(e.primaryMetric);
              return (
                <li key={e.key} className={styles.experiment} data-experiment-key={e.key} data-srm={e.sampleRatioMismatch}>
                  <p className={styles.experimentName}>
                    {e.name}
                    <span className={styles.experimentMetric}> · {metric?.name ?? e.primaryMetric}</span>
                    {e.sampleRatioMismatch ? <span className={styles.tone_bad}> · split mismatch</span> : null}
                  </p>
                  <ul className={styles.variants}>
                    {e.variants.map((v) => (
                      <VariantNow key={v.key} v={v} unit={metric?.unit ?? "count"} total={total} />
                    ))}
                  </ul>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </Panel>
  );
}
