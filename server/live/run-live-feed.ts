import { randomUUID } from "node:crypto";
import { VIEW_EVENT_TOPICS } from "../../lib/config/topics";
import { parseViewEvent, type ParsedEvent } from "../../lib/events/view-event";
import type { Logger } from "../logger";
import type { EventLog, LogConsumer } from "../log/types";
import type { LiveState } from "./live-state";

/**
 * Feeds a LiveState straight from the log, for processes that serve live views without running the
 * aggregator (web or live roles). Each process is its own consumer group, starting an hour and a bit
 * back by record time so the chart is full at once. Invalid events are skipped here: dead-lettering
 * them is the aggregator's job.
 */
export async function runLiveFeed(options: { log: EventLog; live: LiveState; logger: Logger; clock: () => number }): Promise<LogConsumer> {
  const groupId = `showrunner-live-${randomUUID().slice(0, 8)}`;
  const consumer = options.log.createConsumer({ groupId, topics: VIEW_EVENT_TOPICS, maxBatchSize: 5_000 });
  const since = options.clock() - 65 * 60_000;
  await consumer.run({
    onAssign: async (partitions) => {
      const topics = [...new Set(partitions.map((p) => p.topic))];
      const byTime = (await Promise.all(topics.map((t) => options.log.offsetsForTime(t, since)))).flat();
      return byTime.filter((o) => partitions.some((p) => p.topic === o.topic && p.partition === o.partition));
    },
    eachBatch: async (batch) => {
      const now = options.clock();
      const events: ParsedEvent[] = [];
      for (const m of batch.messages) {
        const parsed = parseViewEvent(m.value, now);
        if (parsed.ok) events.push(parsed.event);
      }
      options.live.record(events, `${batch.topic}/${batch.partition}`);
    },
  });
  options.logger.info({ groupId }, "live feed consuming the log");
  return consumer;
}
