import { describe, expect, it } from "vitest";
import { expectClose, fixtures } from "./fixtures";
import { minimumDetectableEffect, powerOf, sampleSizePerArm } from "./power";

describe("power calculator against fixtures.json (statsmodels NormalIndPower)", () => {
  it.each(fixtures.power)("$name", ({ baseline, nPerArm, confidence, power, relativeMde, expected }) => {
    const mde = minimumDetectableEffect({ baseline, nPerArm, confidence, power });
    expectClose(mde.absolute, expected.absoluteMde, "absolute MDE");
    expectClose(mde.relative, expected.relativeMde, "relative MDE");
    const mean = "rate" in baseline ? baseline.rate : baseline.mean;
    expectClose(powerOf({ baseline, nPerArm, absoluteEffect: relativeMde * mean, confidence }), expected.powerAtMde, "power");
    const n = sampleSizePerArm({ baseline, relativeMde, confidence, power });
    expectClose(n.exact, expected.exactNPerArm, "users per arm");
    expect(n.nPerArm).toBe(expected.nPerArm);
  });

  it("the t-test (statsmodels TTestIndPower) would ask for at most 2 users per arm more", () => {
    for (const { baseline, relativeMde, confidence, power, expected } of fixtures.power) {
      const extra = expected.tTestNPerArm - sampleSizePerArm({ baseline, relativeMde, confidence, power }).exact;
      expect(extra).toBeGreaterThan(0);
      expect(extra).toBeLessThan(2);
    }
  });
});

describe("power calculator", () => {
  const baseline = { mean: 10, sd: 3 };

  it("the MDE at n is detected with the asked power, and needs n users back", () => {
    const mde = minimumDetectableEffect({ baseline, nPerArm: 2_500, power: 0.9, confidence: 0.99 });
    expectClose(powerOf({ baseline, nPerArm: 2_500, absoluteEffect: mde.absolute, confidence: 0.99 }), 0.9, "power");
    expectClose(sampleSizePerArm({ baseline, relativeMde: mde.relative, power: 0.9, confidence: 0.99 }).exact, 2_500, "n");
  });

  it("quarters the MDE's square when n quadruples", () => {
    const a = minimumDetectableEffect({ baseline, nPerArm: 1_000 }).absolute;
    const b = minimumDetectableEffect({ baseline, nPerArm: 4_000 }).absolute;
    expectClose(b, a / 2, "MDE at 4n");
  });

  it("uses √(p(1 − p)) as the sd of a rate", () => {
    const rate = minimumDetectableEffect({ baseline: { rate: 0.2 }, nPerArm: 5_000 });
    const mean = minimumDetectableEffect({ baseline: { mean: 0.2, sd: 0.4 }, nPerArm: 5_000 });
    expectClose(rate.absolute, mean.absolute, "absolute MDE");
  });

  it("refuses designs that make no sense", () => {
    expect(() => minimumDetectableEffect({ baseline, nPerArm: 100, power: 0.3 })).toThrow(RangeError);
    expect(() => minimumDetectableEffect({ baseline: { rate: 1 }, nPerArm: 100 })).toThrow(RangeError);
    expect(() => sampleSizePerArm({ baseline, relativeMde: 0 })).toThrow(RangeError);
  });
});
