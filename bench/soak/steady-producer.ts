import type { ViewEventInput } from "../../lib/events/view-event";
import { generateCatalog } from "../../lib/sim/catalog";
import { createSimulator } from "../../lib/sim/simulator";
import type { EventLog } from "../../server/log/types";
import { produceEvents } from "../../server/sim/run-simulator";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * A slice of simulated traffic (users, titles, event mix, devices and countries as the product's
 * simulator makes them) to replay in a loop. A soak judges memory over time, so its input must be
 * stationary: the simulator's own stream is not (signups ramp up, users churn, traffic follows the
 * time of day), a loop over one slice of it is. Taken from the third simulated day, when every user
 * has signed up (signupDays: 2), so the slice holds the whole population.
 */
export function simulatedTemplate(options: { seed: number; users: number; events: number }): ViewEventInput[] {
  const startMs = Math.floor(Date.now() / DAY_MS) * DAY_MS - 30 * DAY_MS;
  const sim = createSimulator({ seed: options.seed, catalog: generateCatalog(options.seed), startMs, users: options.users, signupDays: 2, rateMultiplier: 20 });
  sim.eventsBetween(startMs, startMs + 2 * DAY_MS); // the signup days: generated, not kept
  const template: ViewEventInput[] = [];
  for (let from = startMs + 2 * DAY_MS; template.length < options.events; from += HOUR_MS) {
    if (from >= startMs + 30 * DAY_MS) throw new Error(`the simulator made only ${template.length} of ${options.events} events in 4 weeks`);
    template.push(...sim.eventsBetween(from, from + HOUR_MS));
  }
  return template.slice(0, options.events);
}

export interface ProducerStats {
  /** Events the broker acknowledged. */
  acked: number;
  /** Events handed to the log (acknowledged or in flight). */
  sent: number;
  /** Events the schedule called for so far: ratePerSec × elapsed. */
  scheduled: number;
  /** produce() calls that threw; their events are not in `acked`. */
  errors: number;
  lastError: string | null;
}

export interface SteadyProducer {
  stats(): ProducerStats;
  /** Stops scheduling and waits for the produce call in flight. */
  stop(): Promise<void>;
}

/**
 * Produces the template in a loop at `ratePerSec` (open loop: each tick sends what the schedule
 * says is due), restamped on the way out: a new event_id per lap and event_time = now, spread evenly
 * over the tick, so the live windows see current traffic. One produce call at a time; a slow broker
 * makes the next call bigger, not more calls in parallel. Records go out as the simulator's
 * (produceEvents: keyed by user id, one topic per event type).
 */
export function startSteadyProducer(options: {
  log: EventLog;
  ratePerSec: number;
  template: readonly ViewEventInput[];
  tickMs?: number;
  clock?: () => number;
}): SteadyProducer {
  const { log, ratePerSec, template } = options;
  const clock = options.clock ?? Date.now;
  const started = performance.now();
  const stats: ProducerStats = { acked: 0, sent: 0, scheduled: 0, errors: 0, lastError: null };
  let cursor = 0;
  let inFlight: Promise<void> | null = null;

  const scheduledNow = () => Math.floor(((performance.now() - started) / 1000) * ratePerSec);

  const tick = () => {
    stats.scheduled = scheduledNow();
    if (inFlight) return;
    const due = stats.scheduled - stats.sent;
    if (due <= 0) return;
    const now = clock();
    const events: ViewEventInput[] = new Array(due);
    for (let i = 0; i < due; i++, cursor++) {
      const t = template[cursor % template.length]!;
      events[i] = {
        ...t,
        event_id: `${t.event_id}.${Math.floor(cursor / template.length)}`,
        event_time: new Date(now - Math.round(((due - 1 - i) * 1000) / ratePerSec)).toISOString(),
      };
    }
    stats.sent += due;
    inFlight = produceEvents(log, events)
      .then(
        () => void (stats.acked += due),
        (err: unknown) => {
          stats.errors++;
          stats.lastError = err instanceof Error ? err.message : String(err);
        },
      )
      .finally(() => (inFlight = null));
  };
  const timer = setInterval(tick, options.tickMs ?? 100);

  return {
    stats: () => ({ ...stats }),
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
