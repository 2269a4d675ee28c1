"use client";

import { useEffect, useState, type ReactNode } from "react";
import type { ExperimentResults } from "@/lib/api/results";
import { formatDayShort, formatInteger } from "@/lib/format";
import { formatAgo, formatLift, formatLiftInterval, formatShareOf, formatSrmP } from "./format";
import styles from "./results.module.css";

/** Messages the strip already says in its own words; the rest are listed under it. */
const SAID_ELSEWHERE = [/^Sample ratio mismatch/, /^Too few users/, /^Guardrail breached/, /^No users exposed yet/];

/** The clock, ticking every `everyMs`, so "computed 2 minutes ago" stays true between refetches. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(id);
  }, [everyMs]);
  return now;
}

function HealthItem({ ok, icon, title, children, testId }: { ok: boolean; icon: string; title: string; children: ReactNode; testId: string }) {
  return (
    <div className={`${styles.healthItem} ${ok ? styles.healthOk : styles.healthWarn}`} data-testid={testId} data-ok={ok}>
      <span className={styles.healthIcon} aria-hidden="true">
        {icon}
      </span>
      <p className={styles.healthTitle}>{title}</p>
      <div className={styles.healthDetail}>{children}</div>
    </div>
  );
}

/**
 * Before any number: can these results be trusted? The sample ratio check (users split as the
 * weights say), whether there are users enough, and how fresh the figures are.
 */
export function HealthStrip({ results, live }: { results: ExperimentResults; live: boolean }) {
  const now = useNow(5_000);
  const { srm, tooFewUsers, minUsersPerVariant, messages } = results.health;
  const name = (key: string) => results.variants.find((v) => v.key === key)?.name ?? key;
  const totalSince = results.variants.reduce((s, v) => s + (srm.observed[v.key] ?? 0), 0);
  // Users assigned so far (every metric row carries them; the SRM counts only those since the weights).
  const assigned = results.variants.map((v) => ({ key: v.key, users: results.metrics[0]?.variants.find((x) => x.variantKey === v.key)?.users ?? srm.observed[v.key] ?? 0 }));
  const small = assigned.filter((a) => a.users < minUsersPerVariant);
  const worst = results.variants.reduce<{ key: string; gap: number } | null>((w, v) => {
    const gap = Math.abs((srm.observedShare[v.key] ?? 0) - (srm.expectedShare[v.key] ?? 0));
    return w === null || gap > w.gap ? { key: v.key, gap } : w;
  }, null);
  const others = messages.filter((m) => !SAID_ELSEWHERE.some((re) => re.test(m)));

  const split = (
    <ul className={styles.splitList} aria-label="Users per variant since the current weights: observed and planned shares">
      {results.variants.map((v) => (
        <li key={v.key} data-variant-key={v.key}>
          {v.name}: <span className="num">{formatInteger(srm.observed[v.key] ?? 0)}</span> users ({formatShareOf(srm.observedShare[v.key])}, planned {formatShareOf(srm.expectedShare[v.key])})
        </li>
      ))}
    </ul>
  );

  return (
    <section className={`panel ${styles.health}`} aria-label="Can these results be trusted?" data-testid="results-health">
      {totalSince === 0 ? (
        <HealthItem ok icon="–" title="Sample ratio: nothing to check yet" testId="srm">
          <p data-testid="srm-line">
            No users assigned since the current weights took effect, so there is no split to check yet
            {assigned.some((a) => a.users > 0) ? ` (the ${formatInteger(assigned.reduce((s, a) => s + a.users, 0))} users assigned before then are not counted)` : ""}.
          </p>
        </HealthItem>
      ) : srm.mismatch ? (
        <HealthItem ok={false} icon="!" title="Sample ratio mismatch: do not trust these results" testId="srm">
          <p data-testid="srm-line">
            {worst ? (
              <>
                {name(worst.key)} has {formatShareOf(srm.observedShare[worst.key])} of users where its weight says {formatShareOf(srm.expectedShare[worst.key])}
              </>
            ) : (
              "Users are not split as the weights say"
            )}{" "}
            (χ² p = {formatSrmP(srm.pValue)}; the alarm is p &lt; 0.001). Assignment or logging is losing users somewhere: find out why before reading any result.
          </p>
          {split}
        </HealthItem>
      ) : (
        <HealthItem ok icon="✓" title="Users split as planned" testId="srm">
          <p data-testid="srm-line">
            Sample ratio check passed: χ² p = {formatSrmP(srm.pValue)} (the alarm is p &lt; 0.001).
          </p>
          {split}
        </HealthItem>
      )}

      {tooFewUsers ? (
        <HealthItem ok={false} icon="!" title="Too few users to trust yet" testId="too-few-users">
          <p>
            {small.length > 0 ? (
              <>
                Fewer than {formatInteger(minUsersPerVariant)} users in {small.map((a) => `${name(a.key)} (${formatInteger(a.users)})`).join(", ")}.
              </>
            ) : (
              <>Fewer than {formatInteger(minUsersPerVariant)} users in some variant.</>
            )}{" "}
            Results are shown, but may swing a lot until more users arrive.
          </p>
        </HealthItem>
      ) : (
        <HealthItem ok icon="✓" title="Enough users" testId="too-few-users">
          <p>
            <span className="num">{formatInteger(assigned.reduce((s, a) => s + a.users, 0))}</span> users assigned, at least {formatInteger(minUsersPerVariant)} in every variant.
          </p>
        </HealthItem>
      )}

      <HealthItem ok icon="◷" title={results.asOfDay ? `As of ${formatDayShort(results.asOfDay)}` : "Not computed yet"} testId="freshness">
        <p>
          {results.computedAt ? <>Computed {formatAgo(results.computedAt, now)}</> : "No snapshot yet"}
          {live ? " · checks for new data every 10 s" : ""}.
        </p>
        <p>
          {results.settings.sequential ? "Always-valid p-values: safe to look every day." : "Fixed-horizon p-values: decide on the planned end date, not the first time p dips below the line."}
        </p>
      </HealthItem>

      {others.length > 0 ? (
        <ul className={styles.messages} data-testid="health-messages">
          {others.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** Guardrails exist to stop a launch: a breached one is said first and loudly, with its lift. */
export function GuardrailBanner({ results }: { results: ExperimentResults }) {
  const breaches = results.metrics
    .filter((m) => m.breached)
    .flatMap((m) => m.comparisons.filter((c) => c.verdict === "worse").map((c) => ({ metric: m, comparison: c })));
  if (breaches.length === 0) return null;
  const name = (key: string) => results.variants.find((v) => v.key === key)?.name ?? key;
  const control = name(results.controlKey);
  return (
    <div className={styles.breach} role="alert" data-testid="guardrail-breach">
      <span className={styles.breachIcon} aria-hidden="true">
        !
      </span>
      <p className={styles.breachTitle}>
        Guardrail breached: {[...new Set(breaches.map((b) => b.metric.name))].join(", ")} got worse
      </p>
      <ul className={styles.breachList}>
        {breaches.map(({ metric, comparison: c }) => (
          <li key={`${metric.metricId}/${c.variantKey}`}>
            <strong>{metric.name}</strong> in <strong>{name(c.variantKey)}</strong>: <strong className="num">{formatLift(c.relative.estimate)}</strong> vs {control}
            {formatLiftInterval(c.relative.lower, c.relative.upper) ? ` (${formatLiftInterval(c.relative.lower, c.relative.upper)})` : ""}, {metric.higherIsBetter ? "lower" : "higher"} is worse. Do not ship this
            variant without understanding why.
          </li>
        ))}
      </ul>
    </div>
  );
}
