/**
 * Exposure events: one per experiment in every assignment answer, on topic `exposure_events`,
 * keyed by user id. Other consumers (analysis, ML training) read them; results use the stored
 * assignments, whose `assignedAt` is the first exposure.
 */
import { z } from "zod";

export const exposureEventSchema = z.object({
  exposure_id: z.string().min(1).max(128),
  user_id: z.string().min(1).max(128),
  experiment_key: z.string().min(1).max(128),
  variant_key: z.string().min(1).max(128),
  /** ISO-8601 UTC. */
  exposed_at: z.iso.datetime({ offset: true }),
  /** True when this call stored the assignment (the user's first exposure). */
  first_exposure: z.boolean(),
});
export type ExposureEvent = z.infer<typeof exposureEventSchema>;
