import { VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import type { EventLog } from "../log/types";
import type { Aggregator } from "../stream/create-aggregator";

/** Waits (up to 30 s) until the aggregator has committed up to the end of every view-event topic. */
export async function drained(log: EventLog, agg: Aggregator): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ends = (await Promise.all(VIEW_EVENT_TOPICS.map((t) => log.endOffsets(t)))).flat();
    const committed = agg.stats().committed;
    if (ends.every((o) => o.offset === 0 || committed[`${o.topic}/${o.partition}`] === o.offset)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`aggregator did not drain: ${JSON.stringify(agg.stats())}`);
}
