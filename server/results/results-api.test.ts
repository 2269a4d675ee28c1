/**
 * The results API end to end on a real Postgres: rows inserted into assignment and
 * user_daily_stat, snapshots computed (on demand and by the refresher), route handlers called as
 * Next calls them. A planted effect comes out with the right sign, an A/A does not, a skewed split
 * raises the sample ratio alarm; settings are validated, saved and audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as analysisRoute from "../../app/api/experiments/[key]/analysis/route";
import * as powerRoute from "../../app/api/experiments/[key]/results/power/route";
import * as resultsRoute from "../../app/api/experiments/[key]/results/route";
import type { ExperimentResults, MetricResult } from "../../lib/api/results";
import { DEFAULT_ANALYSIS } from "../../lib/experiments/analysis-settings";
import { addDays, toIsoDay } from "../../lib/format";
import { createExperiment } from "../experiments/repository";
import { readRunningExperiments } from "../live/channel-sources";
import { logger } from "../logger";
import type { Services } from "../services";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { call, installTestServices, signedIn, type Credentials } from "../testing/test-services";
import { startResultsRefresher } from "./refresher";
import { insertAssignments, insertDailyStats, insertExperiment } from "./testing/seed-experiment";
import { syntheticPopulation } from "./testing/synthetic";

const TODAY = toIsoDay(Date.now());
const START = addDays(TODAY, -10);

let database: TestDatabase;
let services: Services;
let viewer: Credentials & { email: string };
let editor: Credentials & { email: string };

async function seedExperiment(key: string, seed: number, users: Record<string, number>, effects?: Parameters<typeof syntheticPopulation>[0]["effects"]) {
  const id = await insertExperiment(database.pool, {
    key,
    variants: Object.keys(users).map((k, i) => ({ key: k, weight: 50, isControl: i === 0, name: k === "control" ? "Control" : `Variant ${k}` })),
    startedAt: new Date(`${START}T00:00:00Z`),
    primaryMetric: "watch_time",
    secondaryMetrics: ["sessions", "d7_retention", "watch_time_per_session"],
    guardrailMetrics: ["dislikes"],
  });
  const { assignments, days } = syntheticPopulation({ seed, startDay: START, lastDay: TODAY, exposureDays: 4, users, effects, userPrefix: `${key}_` });
  await insertAssignments(database.pool, id, assignments);
  await insertDailyStats(database.pool, days);
  return id;
}

async function results(key: string): Promise<ExperimentResults> {
  const res = await call(resultsRoute.GET, { params: { key }, headers: viewer.headers, path: `/api/experiments/${key}/results` });
  expect(res.status).toBe(200);
  return res.body as ExperimentResults;
}

const metric = (r: ExperimentResults, id: string): MetricResult => {
  const m = r.metrics.find((x) => x.metricId === id);
  if (!m) throw new Error(`no metric ${id}`);
  return m;
};

async function putAnalysis(key: string, body: unknown, who: Credentials = editor) {
  return call(analysisRoute.PUT, { method: "PUT", params: { key }, headers: who.headers, body, path: `/api/experiments/${key}/analysis` });
}

beforeAll(async () => {
  database = await createTestDatabase("sr_results");
  services = await installTestServices(database);
  viewer = await signedIn(database, "viewer");
  editor = await signedIn(database, "editor");
  await seedExperiment("planted", 11, { control: 1500, treatment: 1500 }, { treatment: { watch: 1.15, dislikes: 2 } });
  await seedExperiment("aa", 12, { control: 1500, twin: 1500 });
  await seedExperiment("skewed", 13, { control: 1000, treatment: 1250 });
});

afterAll(async () => {
  await services?.exposures.close();
  await database?.drop();
});

describe("results", () => {
  it("[RESULTS] a planted +15% watch time comes out better, with CUPED, and the dislikes guardrail fires", async () => {
    const r = await results("planted");
    expect(r).toMatchObject({ experimentKey: "planted", status: "running", controlKey: "control", asOfDay: TODAY, primaryMetric: "watch_time", message: null });
    expect(r.settings).toEqual(DEFAULT_ANALYSIS);
    expect(r.metrics.map((m) => [m.metricId, m.role])).toEqual([
      ["watch_time", "primary"],
      ["sessions", "secondary"],
      ["d7_retention", "secondary"],
      ["watch_time_per_session", "secondary"],
      ["dislikes", "guardrail"],
    ]);
    const watch = metric(r, "watch_time");
    expect(watch.variants.map((v) => [v.variantKey, v.users])).toEqual([["control", 1500], ["treatment", 1500]]);
    expect(watch.variants[1]!.value).toBeGreaterThan(watch.variants[0]!.value);
    expect(watch.variants[0]!.lower!).toBeLessThan(watch.variants[0]!.value);
    expect(watch.cap).toBeGreaterThan(0);
    const c = watch.comparisons[0]!;
    expect(c).toMatchObject({ variantKey: "treatment", verdict: "better", method: "cuped", sequential: false });
    expect(c.relative.estimate).toBeGreaterThan(0.08);
    expect(c.relative.estimate).toBeLessThan(0.22);
    expect(c.relative.lower).toBeGreaterThan(0);
    expect(c.pValue).toBeLessThan(1e-4);
    expect(c.adjustedPValue).toBeGreaterThanOrEqual(c.pValue);
    expect(c.summary).toMatch(/^\+\d+\.\d% \(\+\d+\.\d% to \+\d+\.\d%\), better$/);
    expect(watch.varianceReduction).toBeGreaterThan(0.1);

    const ratio = metric(r, "watch_time_per_session");
    expect(ratio.comparisons[0]).toMatchObject({ method: "ratio", verdict: "better" });
    const sessions = metric(r, "sessions");
    expect(sessions.comparisons[0]!.verdict).toBe("not yet clear");
    const dislikes = metric(r, "dislikes");
    expect(dislikes.comparisons[0]!.verdict).toBe("worse");
    expect(dislikes.breached).toBe(true);
    expect(r.health.messages.join(" ")).toMatch(/Guardrail breached: Dislikes/);
    const d7 = metric(r, "d7_retention");
    expect(d7.comparisons[0]!.method).toBe("proportions");
    // Exposed over days 0–3 of 10: all observable for D7 by now.
    expect(d7.variants[0]!.n).toBe(1500);
    expect(r.health.srm.mismatch).toBe(false);
    expect(r.health.tooFewUsers).toBe(false);
  });

  it("[RESULTS] an A/A finds nothing, whatever the metric", async () => {
    const r = await results("aa");
    for (const m of r.metrics) {
      for (const c of m.comparisons) {
        expect(c.verdict, m.metricId).toBe("not yet clear");
        expect(c.adjustedPValue, m.metricId).toBeGreaterThan(0.05);
      }
      expect(m.breached).toBe(false);
    }
    expect(Math.abs(metric(r, "watch_time").comparisons[0]!.relative.estimate)).toBeLessThan(0.05);
    expect(r.health.srm.mismatch).toBe(false);
  });

  it("[RESULTS] a skewed split raises the sample ratio alarm", async () => {
    const r = await results("skewed");
    expect(r.health.srm.mismatch).toBe(true);
    expect(r.health.srm.pValue).toBeLessThan(0.001);
    expect(r.health.srm.observed).toEqual({ control: 1000, treatment: 1250 });
    expect(r.health.srm.expectedShare).toEqual({ control: 0.5, treatment: 0.5 });
    expect(r.health.srm.observedShare.treatment).toBeCloseTo(1250 / 2250, 10);
    expect(r.health.messages[0]).toMatch(/Sample ratio mismatch/);
  });

  it("[RESULTS] the refresher fills one snapshot per day, so the charts have a point per day", async () => {
    const refresher = startResultsRefresher({ pool: database.pool, logger, intervalMs: 3_600_000 });
    await refresher.runOnce();
    await refresher.stop();
    const r = await results("planted");
    expect(r.daily.map((d) => d.day)).toEqual(Array.from({ length: 11 }, (_, i) => addDays(START, i)));
    expect(r.daily[0]!.values.control).toBeGreaterThan(0);
    // No comparison on the first days (a handful of users), then the lift settles above 0.
    expect(r.cumulative.length).toBeGreaterThanOrEqual(8);
    const last = r.cumulative.at(-1)!;
    expect(last.day).toBe(TODAY);
    expect(last.lift.treatment!.estimate).toBeCloseTo(metric(r, "watch_time").comparisons[0]!.relative.estimate, 10);
    expect(last.lift.treatment!.lower).toBeGreaterThan(0);
  });

  it("[RESULTS] sequential mode: always-valid intervals, wider than fixed-horizon ones, same verdict on a real effect", async () => {
    const fixed = metric(await results("planted"), "watch_time").comparisons[0]!;
    expect((await putAnalysis("planted", { sequential: true })).status).toBe(200);
    const r = await results("planted");
    expect(r.settings.sequential).toBe(true);
    const seq = metric(r, "watch_time").comparisons[0]!;
    expect(seq).toMatchObject({ sequential: true, verdict: "better", method: "cuped" });
    expect(seq.absolute.upper - seq.absolute.lower).toBeGreaterThan(fixed.absolute.upper - fixed.absolute.lower);
    expect(seq.relative.lower).toBeGreaterThan(0);
    expect(seq.pValue).toBeGreaterThanOrEqual(fixed.pValue);
    const aa = await putAnalysis("aa", { sequential: true });
    expect(aa.status).toBe(200);
    for (const m of (await results("aa")).metrics) for (const c of m.comparisons) expect(c.verdict).toBe("not yet clear");
  });

  it("[RESULTS] a new cap computes its snapshot on demand and reports the cap", async () => {
    const before = metric(await results("planted"), "watch_time").cap!;
    expect((await putAnalysis("planted", { capPercentile: 0.95 })).status).toBe(200);
    const r = await results("planted");
    expect(r.settings.capPercentile).toBe(0.95);
    expect(r.asOfDay).toBe(TODAY);
    expect(metric(r, "watch_time").cap!).toBeLessThan(before);
    expect((await putAnalysis("planted", { capPercentile: 1 })).status).toBe(200);
    expect(metric(await results("planted"), "watch_time").cap).toBeNull();
  });

  it("[RESULTS] CSV export: one row per metric and variant, with a filename", async () => {
    const response = await resultsRoute.GET(new Request("http://localhost/api/experiments/planted/results?format=csv", { headers: viewer.headers }), {
      params: Promise.resolve({ key: "planted" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="planted-results-${TODAY}.csv"`);
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^metric_id,metric,role,kind,variant,is_control,users,n,value/);
    expect(lines).toHaveLength(1 + 5 * 2);
    expect(lines.find((l) => l.startsWith("watch_time,") && l.includes(",treatment,"))).toMatch(/,better,cuped,/);
    const bad = await call(resultsRoute.GET, { params: { key: "planted" }, headers: viewer.headers, path: "/api/experiments/planted/results?format=xml" });
    expect(bad.status).toBe(400);
  });

  it("[RESULTS] unknown experiment: 404; a draft: an empty result with a message", async () => {
    expect((await call(resultsRoute.GET, { params: { key: "nope" }, headers: viewer.headers })).status).toBe(404);
    await createExperiment(
      database.db,
      {
        key: "not-started",
        name: "Draft",
        owner: "test",
        variants: [
          { key: "control", name: "Control", weight: 1, isControl: true },
          { key: "treatment", name: "B", weight: 1 },
        ],
        trafficPercent: 100,
        primaryMetric: "watch_time",
      },
      "test",
    );
    const r = await results("not-started");
    expect(r).toMatchObject({ status: "draft", asOfDay: null, metrics: [], cumulative: [], daily: [], controlKey: "control" });
    expect(r.message).toMatch(/draft/);
    expect(r.variants.map((v) => v.key)).toEqual(["control", "treatment"]);
  });

  it("[RESULTS] a running experiment nobody has seen yet says so", async () => {
    await insertExperiment(database.pool, { key: "empty", variants: [{ key: "control", weight: 1 }, { key: "b", weight: 1 }], startedAt: new Date() });
    const r = await results("empty");
    expect(r.message).toBe("No users exposed yet.");
    expect(r.health.tooFewUsers).toBe(true);
    expect(metric(r, "watch_time").comparisons).toEqual([]);
    expect(metric(r, "watch_time").variants.map((v) => v.users)).toEqual([0, 0]);
  });

  it("[LIVE] the wall's experiments channel carries the snapshot's primary metric, lift, guardrail alert and SRM flag per experiment", async () => {
    await results("planted"); // a snapshot exists for each seeded experiment by now
    await results("aa");
    await results("skewed");
    const snapshot = await readRunningExperiments(services.db, database.pool, Date.now);
    const byKey = new Map(snapshot.experiments.map((e) => [e.key, e]));

    const planted = byKey.get("planted")!;
    expect(planted).toMatchObject({ asOfDay: TODAY, primaryMetric: "watch_time", sampleRatioMismatch: false });
    const [control, treatment] = planted.variants;
    expect(control).toMatchObject({ key: "control", users: 1500, lift: null });
    expect(treatment).toMatchObject({ key: "treatment", users: 1500, lift: { verdict: "better" } });
    expect(treatment!.primary!).toBeGreaterThan(control!.primary!);
    expect(treatment!.lift!.lower).toBeGreaterThan(0);
    expect(planted.guardrailAlerts).toEqual([{ metricId: "dislikes", metricName: "Dislikes", variantKey: "treatment", summary: expect.stringMatching(/worse$/) }]);

    expect(byKey.get("aa")!.guardrailAlerts).toEqual([]);
    expect(byKey.get("aa")!.variants[1]!.lift!.verdict).toBe("not yet clear");
    expect(byKey.get("skewed")!.sampleRatioMismatch).toBe(true);
  });

  it("[RESULTS] needs a signed-in reader", async () => {
    expect((await call(resultsRoute.GET, { params: { key: "planted" } })).status).toBe(401);
  });
});

describe("power", () => {
  it("[RESULTS] plans from the control's figures, or from the query", async () => {
    const fromControl = await call(powerRoute.GET, { params: { key: "aa" }, headers: viewer.headers, path: "/api/experiments/aa/results/power?mde=0.05" });
    expect(fromControl.status).toBe(200);
    expect(fromControl.body).toMatchObject({ metricId: "watch_time", baselineSource: "control", usersPerArm: 1500, mde: 0.05, power: 0.8 });
    expect(fromControl.body.requiredPerArm).toBeGreaterThan(100);
    expect(fromControl.body.mdeNow.relative).toBeGreaterThan(0);
    expect(fromControl.body.powerNow).toBeGreaterThan(0);
    // statsmodels NormalIndPower().solve_power(effect_size=0.1, alpha=0.05, power=0.8) = 1569.8 per arm.
    const fromQuery = await call(powerRoute.GET, { params: { key: "aa" }, headers: viewer.headers, path: "/api/experiments/aa/results/power?baselineMean=10&baselineSd=10&mde=0.1&confidence=0.95" });
    expect(fromQuery.body).toMatchObject({ baselineSource: "query", requiredPerArm: 1570 });
    const rate = await call(powerRoute.GET, { params: { key: "aa" }, headers: viewer.headers, path: "/api/experiments/aa/results/power?metric=d7_retention" });
    expect(rate.body.baselineSource).toBe("control");
    expect(rate.body.baseline.rate).toBeGreaterThan(0);
    const bad = await call(powerRoute.GET, { params: { key: "aa" }, headers: viewer.headers, path: "/api/experiments/aa/results/power?baselineMean=10" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/baselineSd: give baselineMean and baselineSd together/);
  });
});

describe("analysis settings", () => {
  it("[RESULTS] rejects bad settings with a 400 naming the field, and viewers with a 403", async () => {
    const bad = await putAnalysis("aa", { confidence: 0.8 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/confidence: must be 0.9, 0.95 or 0.99/);
    expect((await putAnalysis("aa", { correction: "bonferroni" })).status).toBe(400);
    expect((await putAnalysis("aa", "not json at all")).status).toBe(400);
    expect((await putAnalysis("aa", { cuped: false }, viewer)).status).toBe(403);
    expect((await putAnalysis("nope", {})).status).toBe(404);
  });

  it("[RESULTS] saves with an audit row naming the editor, before and after", async () => {
    const res = await putAnalysis("skewed", { confidence: 0.99, correction: "bh", cuped: false });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...DEFAULT_ANALYSIS, confidence: 0.99, correction: "bh", cuped: false });
    const audit = await database.db.experimentAudit.findMany({ where: { experiment: { key: "skewed" } }, orderBy: { id: "desc" } });
    expect(audit[0]).toMatchObject({ actor: editor.email, action: "analysis", before: DEFAULT_ANALYSIS, after: res.body });
    const r = await results("skewed");
    expect(r.settings).toEqual(res.body);
    expect(metric(r, "watch_time").comparisons[0]!.method).toBe("welch");
  });
});
