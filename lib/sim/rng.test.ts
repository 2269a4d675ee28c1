import { describe, expect, it } from "vitest";
import { mixSeed, Rng, WeightedSampler, zipfWeights } from "./rng";

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.float());

describe("Rng", () => {
  it("repeats its sequence for a seed and differs across seeds and salts", () => {
    expect(draws(Rng.fromSeed(1), 50)).toEqual(draws(Rng.fromSeed(1), 50));
    expect(draws(Rng.fromSeed(1), 50)).not.toEqual(draws(Rng.fromSeed(2), 50));
    expect(draws(Rng.fromSeed(1), 50)).not.toEqual(draws(Rng.fromSeed(1, 7), 50));
  });

  it("forks into streams that differ from each other and from the parent", () => {
    const parent = Rng.fromSeed(3);
    const a = parent.fork();
    const b = parent.fork();
    const [da, db, dp] = [draws(a, 20), draws(b, 20), draws(parent, 20)];
    expect(da).not.toEqual(db);
    expect(da).not.toEqual(dp);
    expect(db).not.toEqual(dp);
  });

  it("mixes neighbouring seeds into unrelated 32-bit values and rejects unsafe seeds", () => {
    expect(mixSeed(1)).not.toBe(mixSeed(2));
    expect(mixSeed(2 ** 40)).not.toBe(mixSeed(0));
    expect(() => mixSeed(0.5)).toThrow(RangeError);
  });

  it("draws uniform floats in [0, 1) with mean 1/2 and variance 1/12", () => {
    const xs = draws(Rng.fromSeed(4), 200_000);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it("draws standard normals (mean 0, variance 1) and lognormals with median exp(mu)", () => {
    const rng = Rng.fromSeed(5);
    const zs = Array.from({ length: 200_000 }, () => rng.normal());
    const mean = zs.reduce((a, b) => a + b, 0) / zs.length;
    const variance = zs.reduce((a, z) => a + (z - mean) ** 2, 0) / zs.length;
    expect(mean).toBeCloseTo(0, 2);
    expect(variance).toBeCloseTo(1, 1);
    const ls = Array.from({ length: 50_001 }, () => rng.lognormal(Math.log(300), 0.8)).sort((a, b) => a - b);
    expect((ls[25_000] as number) / 300).toBeCloseTo(1, 1);
  });

  it("draws integers covering exactly [0, n)", () => {
    const rng = Rng.fromSeed(6);
    const seen = new Set(Array.from({ length: 10_000 }, () => rng.int(7)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe("WeightedSampler", () => {
  it("draws each index in proportion to its weight", () => {
    const weights = [1, 2, 3, 4, 0];
    const sampler = new WeightedSampler(weights);
    const rng = Rng.fromSeed(8);
    const counts = new Array<number>(weights.length).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[sampler.sample(rng)]! += 1;
    weights.forEach((w, i) => expect((counts[i] as number) / n).toBeCloseTo(w / 10, 2));
    expect(sampler.probability(3)).toBeCloseTo(0.4, 12);
  });

  it("rejects empty, negative and all-zero weights", () => {
    expect(() => new WeightedSampler([])).toThrow(RangeError);
    expect(() => new WeightedSampler([1, -1])).toThrow(RangeError);
    expect(() => new WeightedSampler([0, 0])).toThrow(RangeError);
  });
});

describe("zipfWeights", () => {
  it("gives rank r the weight 1/r^s", () => {
    const w = zipfWeights(10, 1);
    expect((w[0] as number) / (w[9] as number)).toBeCloseTo(10, 12);
    expect((zipfWeights(4, 2)[1] as number)).toBeCloseTo(0.25, 12);
  });
});

describe("Rng.float", () => {
  it("matches pure-rand's uniformFloat64 on the same generator state", async () => {
    const { uniformFloat64 } = await import("pure-rand/distribution/uniformFloat64");
    const { xoroshiro128plus } = await import("pure-rand/generator/xoroshiro128plus");
    const gen = xoroshiro128plus(12);
    const rng = Rng.fromGenerator(gen.clone());
    for (let i = 0; i < 1_000; i++) expect(rng.float()).toBe(uniformFloat64(gen));
  });
});
