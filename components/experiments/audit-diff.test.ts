import { describe, expect, it } from "vitest";
import { auditChanges } from "./audit-diff";

describe("auditChanges", () => {
  it("lists only the definition fields an edit changed, variants one by one", () => {
    const before = { name: "Autoplay", trafficPercent: 50, variants: [{ key: "control", name: "Off", weight: 1, isControl: true }, { key: "on", name: "On", weight: 1, isControl: false }] };
    const after = { ...before, trafficPercent: 80, variants: [before.variants[0], { ...before.variants[1], weight: 3 }] };
    expect(auditChanges({ action: "update", before, after })).toEqual([
      { field: "Variant on weight", before: "1", after: "3" },
      { field: "Traffic", before: expect.stringContaining("50"), after: expect.stringContaining("80") },
    ]);
  });

  it("puts a stop's decision and note in words", () => {
    const changes = auditChanges({ action: "stop", before: { status: "running" }, after: { status: "stopped", decision: "ship", decisionVariant: "on", note: "clear win" } });
    expect(changes.map((c) => c.field)).toEqual(["Status", "Decision", "Note"]);
    expect(changes[1]?.after).toContain("on");
  });

  it("shows analysis settings that changed, defaults filling what the stored setting left out", () => {
    const changes = auditChanges({ action: "analysis", before: {}, after: { confidence: 0.99, correction: "bh", sequential: true, cuped: true, capPercentile: 1 } });
    expect(changes).toEqual([
      { field: "Confidence level", before: "95%", after: "99%" },
      { field: "Multiple-comparison correction", before: "Holm", after: "Benjamini–Hochberg" },
      { field: "Sequential testing", before: "off", after: "on" },
      { field: "Outlier cap", before: "99th percentile", after: "off" },
    ]);
  });
});
