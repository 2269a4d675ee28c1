/**
 * PUT /api/experiments/:key/analysis: replaces the experiment's analysis settings, with an audit
 * row (action "analysis", before/after) in the same transaction. Settings only change how results
 * are read, never who is assigned what, so they may change in any status and do not bump the
 * definition's version (an open edit form stays valid).
 */
import { analysisSettingsSchema, readAnalysisSettings, type AnalysisSettings } from "../../lib/experiments/analysis-settings";
import type { Db } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import { HttpError } from "../http/respond";

export async function saveAnalysisSettings(db: Db, key: string, input: unknown, actor: string): Promise<AnalysisSettings> {
  const settings = analysisSettingsSchema.parse(input);
  await db.$transaction(async (tx) => {
    // FOR UPDATE: two editors saving at once get two audit rows whose before/after chain up.
    const rows = await tx.$queryRaw<{ id: number; analysis: unknown }[]>`SELECT id, analysis FROM experiment WHERE key = ${key} FOR UPDATE`;
    const row = rows[0];
    if (!row) throw new HttpError(404, `no experiment "${key}"`);
    const before = readAnalysisSettings(row.analysis);
    await tx.experiment.update({ where: { id: row.id }, data: { analysis: settings as Prisma.InputJsonValue } });
    await tx.experimentAudit.create({
      data: { experimentId: row.id, actor, action: "analysis", before: before as Prisma.InputJsonValue, after: settings as Prisma.InputJsonValue },
    });
  });
  return settings;
}
