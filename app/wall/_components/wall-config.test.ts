import { describe, expect, it } from "vitest";
import { WALL_PANELS, channelsOf, lagTone, movementOf, parseWallConfig, planScreens, secondsBehind, slidingWatchMinutes } from "./wall-config";

describe("parseWallConfig", () => {
  it.each([
    [{}, [...WALL_PANELS], null],
    [{ panels: "top,events" }, ["top", "events"], null],
    [{ panels: " Top , EVENTS ,top" }, ["top", "events"], null],
    [{ panels: "nonsense" }, [...WALL_PANELS], null],
    [{ panels: ["genres", "top"] }, ["genres"], null],
    [{ rotate: "30" }, [...WALL_PANELS], 30],
    [{ rotate: "1" }, [...WALL_PANELS], 5],
    [{ rotate: "99999" }, [...WALL_PANELS], 3600],
    [{ rotate: "soon" }, [...WALL_PANELS], null],
    [{ rotate: "0" }, [...WALL_PANELS], null],
    [{ rotate: "" }, [...WALL_PANELS], null],
  ])("%j → panels %j, rotate %j", (params, panels, rotateSec) => {
    expect(parseWallConfig(params)).toEqual({ panels, rotateSec });
  });
});

describe("planScreens", () => {
  it("puts every chosen panel on one screen without rotation", () => {
    expect(planScreens({ panels: ["top", "genres"], rotateSec: null })).toEqual([{ title: null, panels: ["top", "genres"] }]);
  });

  it("rotates through the themed screens that hold a chosen panel, skipping empty ones", () => {
    expect(planScreens({ panels: ["pipeline", "top", "events"], rotateSec: 30 })).toEqual([
      { title: "Watching now", panels: ["top", "events"] },
      { title: "Operations", panels: ["pipeline"] },
    ]);
  });
});

describe("channelsOf", () => {
  it("subscribes once per channel, whatever the number of panels on it", () => {
    expect([...channelsOf(["events", "viewers", "top", "retention"])]).toEqual(["overview", "retention"]);
  });
});

describe("slidingWatchMinutes", () => {
  const minute = (i: number, watchMinutes: number) => ({ minute: i * 60_000, watchMinutes, events: 0 });

  it("averages each whole 5-minute window ending on a complete minute, leaving out the minute in progress", () => {
    const series = [minute(0, 10), minute(1, 20), minute(2, 30), minute(3, 40), minute(4, 50), minute(5, 60), minute(6, 999)];
    expect(slidingWatchMinutes(series)).toEqual([
      { minute: 4 * 60_000, perMinute: 30 },
      { minute: 5 * 60_000, perMinute: 40 },
    ]);
  });

  it("is empty until a whole window is complete", () => {
    expect(slidingWatchMinutes([])).toEqual([]);
    expect(slidingWatchMinutes([minute(0, 5), minute(1, 5), minute(2, 5), minute(3, 5), minute(4, 5)])).toEqual([]);
  });
});

describe("movementOf", () => {
  it.each([
    [1, null, { kind: "new" }],
    [3, 3, { kind: "same" }],
    [1, 4, { kind: "up", places: 3 }],
    [5, 2, { kind: "down", places: 3 }],
  ])("rank %i, %j five minutes ago → %j", (rank, before, movement) => {
    expect(movementOf(rank, before)).toEqual(movement);
  });
});

describe("pipeline lag", () => {
  it("turns lag into seconds of throughput, and tones it", () => {
    expect(secondsBehind(0, null, null)).toBe(0);
    expect(secondsBehind(500, 100, 50)).toBe(5);
    expect(secondsBehind(500, 0, 0)).toBeNull();
    expect(secondsBehind(null, 100, 100)).toBeNull();
    expect(lagTone(500, 5)).toBe("ok");
    expect(lagTone(5_000, 30)).toBe("warn");
    expect(lagTone(50_000, 300)).toBe("bad");
    expect(lagTone(null, null)).toBe("bad");
    expect(lagTone(2_000, null)).toBe("warn");
  });
});
