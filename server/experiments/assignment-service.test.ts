/**
 * The assignment engine's database use on a real Postgres: returning users are answered from
 * memory, and concurrent first-time users share statements instead of one INSERT each.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOPICS } from "../../lib/config/topics";
import { createMemoryLog } from "../log/memory-log";
import { logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { createAssignmentService, type AssignmentService } from "./assignment-service";
import { createExposurePublisher, type ExposurePublisher } from "./exposure-publisher";
import { createExperiment, transitionExperiment } from "./repository";

let database: TestDatabase;
let exposures: ExposurePublisher;
let service: AssignmentService;
const statements: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase("sr_assign_svc");
  for (const key of ["svc-a", "svc-b"]) {
    const created = await createExperiment(
      database.db,
      {
        key,
        name: key,
        owner: "test",
        variants: [
          { key: "control", name: "Control", weight: 1, isControl: true },
          { key: "treatment", name: "Treatment", weight: 1 },
        ],
        trafficPercent: 100,
        primaryMetric: "watch_time",
      },
      "test",
    );
    await transitionExperiment(database.db, key, { action: "start", version: created.version }, "test");
  }
  const log = createMemoryLog();
  await log.ensureTopics([{ topic: TOPICS.exposure, partitions: 4 }]);
  exposures = createExposurePublisher({ log, logger });
  // The pool as the service sees it, recording each statement it sends.
  const counting = {
    query: (text: string, values?: unknown[]) => {
      statements.push(text.trim().split(/\s+/)[0]!.toUpperCase());
      // eslint-disable-next-line showrunner/no-string-built-sql -- forwards the service's own statements unchanged
      return database.pool.query(text, values);
    },
  } as unknown as pg.Pool;
  service = createAssignmentService({ db: database.db, pool: counting, exposures });
});

afterAll(async () => {
  await exposures?.close();
  await database?.drop();
});

describe("assignment service", () => {
  it("answers 200 concurrent first-time users with far fewer statements than users, every one stored once", async () => {
    await service.assign({ id: "warm_up", attributes: {} }); // loads the running experiments
    statements.length = 0;
    const users = Array.from({ length: 200 }, (_, i) => `burst_${i}`);
    const answers = await Promise.all(users.map((id) => service.assign({ id, attributes: {} })));
    expect(answers.every((a) => a.assignments.length === 2 && a.assignments.every((x) => x.firstExposure))).toBe(true);
    const inserts = statements.filter((s) => s === "INSERT").length;
    const selects = statements.filter((s) => s === "SELECT").length;
    expect(inserts).toBeGreaterThanOrEqual(1);
    expect(inserts).toBeLessThan(20);
    expect(selects).toBeLessThan(20);
    const { rows } = await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM assignment WHERE user_id LIKE 'burst_%'");
    expect(rows[0]!.n).toBe(400);
  });

  it("answers a returning user from memory, with the stored variants", async () => {
    const first = await service.assign({ id: "returning_user", attributes: {} });
    statements.length = 0;
    const again = await service.assign({ id: "returning_user", attributes: {} });
    expect(statements).toEqual([]);
    expect(again.assignments.map((a) => [a.experimentKey, a.variantKey, a.firstExposure])).toEqual(first.assignments.map((a) => [a.experimentKey, a.variantKey, false]));
  });

  it("finds a row another process stored after this one read the user, and reports it as not first", async () => {
    // This process reads the user (nothing stored yet) but stores nothing: no experiment is new to them.
    const fresh = createAssignmentService({ db: database.db, pool: database.pool, exposures });
    const elsewhere = createAssignmentService({ db: database.db, pool: database.pool, exposures });
    const theirs = await elsewhere.assign({ id: "two_processes", attributes: {} });
    const ours = await fresh.assign({ id: "two_processes", attributes: {} });
    expect(ours.assignments.map((a) => [a.variantKey, a.firstExposure])).toEqual(theirs.assignments.map((a) => [a.variantKey, false]));
  });
});
