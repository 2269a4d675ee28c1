import { topicForEventType, encodeViewEvent, type ViewEventInput } from "../../lib/events/view-event";
import type { TopicName } from "../../lib/config/topics";
import type { Simulator } from "../../lib/sim/simulator";
import type { Logger } from "../logger";
import type { EventLog, ProducerRecord } from "../log/types";

const DAY_MS = 86_400_000;
const CHUNK = 10_000;

/** Appends events to the log as a producer would: one record per event, keyed by user id. */
export async function produceEvents(log: EventLog, events: readonly ViewEventInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    const byTopic = new Map<TopicName, ProducerRecord[]>();
    for (const e of events.slice(i, i + CHUNK)) {
      const topic = topicForEventType(e.event_type);
      let records = byTopic.get(topic);
      if (!records) byTopic.set(topic, (records = []));
      records.push({ key: e.user_id, value: encodeViewEvent(e) }); // record time = append time, as producers do: retention counts from it
    }
    await Promise.all([...byTopic].map(([topic, records]) => log.produce(topic, records)));
  }
}

/**
 * Produces simulated history day by day up to `toMs`, waiting after each day until the processor
 * has caught up, so memory stays bounded and progress means "counted", not just "produced".
 */
export async function backfill(options: {
  sim: Simulator;
  log: EventLog;
  fromMs: number;
  toMs: number;
  caughtUp: () => Promise<void>;
  /** Writes what the day's generation left besides events (the experiments' first exposures). */
  afterDay?: () => Promise<void>;
  onProgress: (p: { day: number; days: number; events: number; elapsedMs: number }) => void;
}): Promise<number> {
  const started = Date.now();
  const days = Math.ceil((options.toMs - options.fromMs) / DAY_MS);
  let total = 0;
  for (let d = 0; d < days; d++) {
    const from = options.fromMs + d * DAY_MS;
    const events = options.sim.eventsBetween(from, Math.min(from + DAY_MS, options.toMs));
    await Promise.all([produceEvents(options.log, events), options.afterDay?.()]);
    await options.caughtUp();
    total += events.length;
    options.onProgress({ day: d + 1, days, events: total, elapsedMs: Date.now() - started });
  }
  return total;
}

/** Produces the simulator's events as (event) time passes. Returns a stop function. */
export function runLiveSimulator(options: { sim: Simulator; log: EventLog; logger: Logger; clock: () => number; tickMs?: number }): () => Promise<void> {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = async () => {
    const events = options.sim.eventsBetween(options.sim.cursorMs, options.clock());
    if (events.length > 0) await produceEvents(options.log, events);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    inFlight = inFlight.then(tick).catch((err: unknown) => options.logger.error({ err }, "simulator could not produce; will retry"));
  }, options.tickMs ?? 250);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await inFlight;
  };
}
