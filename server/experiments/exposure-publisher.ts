/**
 * Exposure events to the log (topic exposure_events), off the request's critical path: the
 * assignment is already stored in Postgres when the answer goes out, so the API does not wait for
 * Kafka's acks=all round trip. Records are batched (every FLUSH_MS or FLUSH_AT records); a failed
 * produce keeps the batch and retries with backoff. Only when the buffer is full (the log has been
 * down for a long while) are new exposures dropped, and they are counted and logged, not lost
 * silently: the stored assignments still hold every first exposure.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { TOPICS } from "../../lib/config/topics";
import type { ExposureEvent } from "../../lib/events/exposure-event";
import type { EventLog, ProducerRecord } from "../log/types";

const FLUSH_MS = 10;
const FLUSH_AT = 500;
const MAX_BUFFERED = 100_000;
const MAX_BACKOFF_MS = 5_000;

export interface ExposurePublisher {
  publish(events: Omit<ExposureEvent, "exposure_id">[]): void;
  /** Exposures produced, dropped (buffer full) and waiting. */
  stats(): { produced: number; dropped: number; buffered: number };
  /** Flushes what is buffered (retrying up to `timeoutMs`), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

export function createExposurePublisher(options: { log: EventLog; logger: Logger }): ExposurePublisher {
  const { log, logger } = options;
  let buffer: ProducerRecord[] = [];
  let produced = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  let failures = 0;
  let closed = false;

  const schedule = (ms: number) => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
    timer.unref();
  };

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    flushing = (async () => {
      try {
        await log.produce(TOPICS.exposure, batch);
        produced += batch.length;
        failures = 0;
      } catch (err) {
        failures++;
        buffer = batch.concat(buffer); // keep order: the failed batch goes first
        if (failures === 1 || failures % 20 === 0) logger.error({ err, buffered: buffer.length, failures }, "producing exposure events failed; retrying");
      } finally {
        flushing = null;
      }
      if (buffer.length > 0) schedule(failures > 0 ? Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(failures, 7)) : 0);
    })();
    return flushing;
  }

  return {
    publish(events) {
      if (closed) throw new Error("exposure publisher is closed");
      for (const e of events) {
        if (buffer.length >= MAX_BUFFERED) {
          dropped++;
          if (dropped === 1 || dropped % 10_000 === 0) logger.error({ dropped }, "exposure buffer full (the log is down): dropping exposure events");
          continue;
        }
        const event: ExposureEvent = { exposure_id: randomUUID(), ...e };
        buffer.push({ key: e.user_id, value: JSON.stringify(event) });
      }
      if (buffer.length >= FLUSH_AT && failures === 0) void flush();
      else schedule(FLUSH_MS);
    },
    stats: () => ({ produced, dropped, buffered: buffer.length }),
    async close(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while ((buffer.length > 0 || flushing) && Date.now() < deadline) {
        if (timer) {
          clearTimeout(timer);
          timer = null;
        }
        await flush();
        if (buffer.length > 0 && failures > 0) await new Promise((r) => setTimeout(r, 100));
      }
      closed = true;
      if (timer) clearTimeout(timer);
      if (buffer.length > 0) logger.error({ lost: buffer.length }, "closing with exposure events not produced");
    },
  };
}
