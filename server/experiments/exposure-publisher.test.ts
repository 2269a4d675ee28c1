import { describe, expect, it } from "vitest";
import { TOPICS } from "../../lib/config/topics";
import { exposureEventSchema } from "../../lib/events/exposure-event";
import { createMemoryLog } from "../log/memory-log";
import type { EventLog } from "../log/types";
import { logger } from "../logger";
import { createExposurePublisher } from "./exposure-publisher";

const quiet = logger.child({});
quiet.level = "silent";

async function produced(log: EventLog): Promise<number> {
  return (await log.endOffsets(TOPICS.exposure)).reduce((s, p) => s + p.offset, 0);
}

function exposure(i: number) {
  return { user_id: `u_${i}`, experiment_key: "e", variant_key: i % 2 ? "a" : "b", exposed_at: new Date(0).toISOString(), first_exposure: true };
}

describe("exposure publisher", () => {
  it("keeps a failed batch and delivers it once the log recovers, in order, valid per the wire schema", async () => {
    const log = createMemoryLog();
    await log.ensureTopics([{ topic: TOPICS.exposure, partitions: 1 }]);
    let failures = 3;
    const flaky: EventLog = {
      ...log,
      produce: async (topic, records) => {
        if (failures > 0) {
          failures--;
          throw new Error("broker unavailable");
        }
        return log.produce(topic, records);
      },
    };
    const publisher = createExposurePublisher({ log: flaky, logger: quiet });
    publisher.publish([0, 1, 2].map(exposure));
    publisher.publish([3, 4].map(exposure));
    await publisher.close(10_000);
    expect(failures).toBe(0);
    expect(await produced(log)).toBe(5);
    expect(publisher.stats()).toEqual({ produced: 5, dropped: 0, buffered: 0 });

    const consumer = log.createConsumer({ groupId: "check", topics: [TOPICS.exposure] });
    const users: string[] = [];
    await consumer.run({
      eachBatch: async (batch) => {
        for (const m of batch.messages) users.push(exposureEventSchema.parse(JSON.parse(m.value!.toString())).user_id);
      },
    });
    for (let i = 0; i < 50 && users.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
    await consumer.stop();
    expect(users).toEqual(["u_0", "u_1", "u_2", "u_3", "u_4"]);
  });
});
