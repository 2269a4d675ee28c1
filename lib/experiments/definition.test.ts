import { describe, expect, it } from "vitest";
import { experimentInputSchema, variantShares } from "./definition";

const valid = {
  key: "autoplay",
  name: "Autoplay",
  owner: "ds@example.com",
  variants: [
    { key: "control", name: "Control", weight: 1, isControl: true },
    { key: "treatment", name: "Treatment", weight: 1 },
  ],
  trafficPercent: 50,
  primaryMetric: "watch_time",
};

function messages(input: unknown): string[] {
  const r = experimentInputSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("experimentInputSchema", () => {
  it("accepts a minimal experiment and fills defaults", () => {
    const r = experimentInputSchema.parse(valid);
    expect(r).toMatchObject({ hypothesis: "", targeting: [], secondaryMetrics: [], guardrailMetrics: [] });
  });

  it("reports a duplicate key and a missing control even while another field is wrong", () => {
    const m = messages({
      ...valid,
      name: "",
      variants: [
        { key: "same", name: "A", weight: 1 },
        { key: "same", name: "B", weight: 1 },
      ],
    });
    expect(m).toContain("name: needs a name");
    expect(m).toContain("variants: mark one variant as the control");
    expect(m).toContain('variants.1.key: duplicate variant key "same"');
  });

  it("names each bad field", () => {
    expect(messages({ ...valid, key: "Has Spaces" })[0]).toMatch(/^key: use lowercase/);
    expect(messages({ ...valid, trafficPercent: -1 })).toEqual(["trafficPercent: must be 0–100"]);
    expect(messages({ ...valid, secondaryMetrics: ["watch_time"] })).toEqual(['secondaryMetrics: metric "watch_time" is listed twice']);
  });
});

describe("variantShares", () => {
  it("turns relative weights into percentages", () => {
    expect(variantShares([1, 1, 2])).toEqual([25, 25, 50]);
    expect(variantShares([0, 0])).toEqual([0, 0]);
  });
});
