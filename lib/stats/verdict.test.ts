import { describe, expect, it } from "vitest";
import { verdict } from "./verdict";

const at = (lower: number, upper: number, confidence = 0.95) => ({ confidence, absolute: { lower, upper } });

describe("verdict", () => {
  it.each([
    ["interval above 0, higher is better", at(0.1, 0.5), true, "better"],
    ["interval above 0, lower is better", at(0.1, 0.5), false, "worse"],
    ["interval below 0, higher is better", at(-0.5, -0.1), true, "worse"],
    ["interval below 0, lower is better", at(-0.5, -0.1), false, "better"],
    ["interval spans 0", at(-0.1, 0.5), true, "not yet clear"],
    ["interval touches 0", at(0, 0.5), true, "not yet clear"],
    ["undefined interval (NaN)", at(Number.NaN, Number.NaN), true, "not yet clear"],
  ] as const)("%s → %s", (_name, result, higherIsBetter, want) => {
    expect(verdict(result, { higherIsBetter }).verdict).toBe(want);
  });

  it("reports the level it used, in the sentence too", () => {
    expect(verdict(at(0.1, 0.5, 0.9), { higherIsBetter: true })).toEqual({
      verdict: "better",
      confidence: 0.9,
      alpha: expect.closeTo(0.1, 12),
      summary: "Better: the metric moved up, and the 90% interval excludes no change.",
    });
    expect(verdict(at(-1, 1, 0.99), { higherIsBetter: true }).summary).toBe("Not yet clear: the 99% interval still includes no change.");
  });

  it("holds back when the corrected p-value is not below α", () => {
    expect(verdict(at(0.1, 0.5), { higherIsBetter: true, adjustedPValue: 0.08 }).verdict).toBe("not yet clear");
    expect(verdict(at(0.1, 0.5), { higherIsBetter: true, adjustedPValue: 0.01 }).verdict).toBe("better");
  });
});
