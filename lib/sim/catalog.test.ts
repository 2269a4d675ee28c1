import { describe, expect, it } from "vitest";
import { titleSchema } from "../events/view-event";
import { EARLIEST_RELEASE_YEAR, generateCatalog, LATEST_RELEASE_YEAR } from "./catalog";

describe("generateCatalog", () => {
  const catalog = generateCatalog(42);

  it("makes 600 valid titles by default, with ids t_0001… in order", () => {
    expect(catalog).toHaveLength(600);
    catalog.forEach((t, i) => {
      expect(titleSchema.safeParse(t).success).toBe(true);
      expect(t.title_id).toBe(`t_${String(i + 1).padStart(4, "0")}`);
    });
  });

  it("gives every title a unique name", () => {
    expect(new Set(catalog.map((t) => t.title_name)).size).toBe(catalog.length);
    const big = generateCatalog(1, 5000);
    expect(new Set(big.map((t) => t.title_name)).size).toBe(5000);
  });

  it("spreads titles unevenly over at least ten genres, Drama the largest", () => {
    const counts = new Map<string, number>();
    for (const t of catalog) counts.set(t.genre, (counts.get(t.genre) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    expect(counts.size).toBeGreaterThanOrEqual(10);
    expect(sorted[0]?.[0]).toBe("Drama");
    expect((sorted[0]?.[1] as number) / (sorted.at(-1)?.[1] as number)).toBeGreaterThan(2.5);
  });

  it("dates releases 1960–2026, mostly recent with a tail of classics", () => {
    const years = catalog.map((t) => t.release_year).sort((a, b) => a - b);
    expect(years[0]).toBeGreaterThanOrEqual(EARLIEST_RELEASE_YEAR);
    expect(years.at(-1)).toBeLessThanOrEqual(LATEST_RELEASE_YEAR);
    expect(years[years.length >> 1]).toBeGreaterThanOrEqual(2015);
    expect(years.filter((y) => y < 1990).length).toBeGreaterThan(10);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    expect(generateCatalog(42)).toEqual(catalog);
    expect(generateCatalog(43).map((t) => t.title_name)).not.toEqual(catalog.map((t) => t.title_name));
  });

  it("honours the count and rejects nonsense", () => {
    expect(generateCatalog(7, 12)).toHaveLength(12);
    expect(generateCatalog(7, 12_000).at(-1)?.title_id).toBe("t_12000");
    expect(() => generateCatalog(7, 0)).toThrow(RangeError);
  });
});
