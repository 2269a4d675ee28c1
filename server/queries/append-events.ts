import { z } from "zod";
import type { EventsAccepted } from "../../lib/api/types";
import { encodeViewEvent, topicForEventType, viewEventSchema, type ViewEventInput } from "../../lib/events/view-event";
import type { TopicName } from "../../lib/config/topics";
import type { EventLog, ProducerRecord } from "../log/types";

export const MAX_EVENTS_PER_REQUEST = 5_000;

/** The collector's body: a JSON array of wire-format events, or `{ "events": [...] }`. */
export const appendEventsBodySchema = z.union([
  z.array(z.unknown()).min(1, "send at least one event").max(MAX_EVENTS_PER_REQUEST, `send at most ${MAX_EVENTS_PER_REQUEST} events per request`),
  z.object({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_REQUEST) }).transform((b) => b.events),
]);

export class InvalidEventsError extends Error {
  constructor(readonly problems: { index: number; message: string }[]) {
    super(
      `${problems.length} invalid event(s): ` +
        problems
          .slice(0, 5)
          .map((p) => `[${p.index}] ${p.message}`)
          .join("; "),
    );
  }
}

/**
 * Validates a batch and appends it to the log, keyed by user id, as any producer would. All or
 * nothing: one invalid event rejects the batch, so a client never has to work out what landed.
 */
export async function appendEvents(log: EventLog, body: unknown): Promise<EventsAccepted> {
  const items = appendEventsBodySchema.parse(body);
  const problems: { index: number; message: string }[] = [];
  const valid: ViewEventInput[] = [];
  items.forEach((item, index) => {
    const r = viewEventSchema.safeParse(item);
    if (r.success) valid.push(item as ViewEventInput);
    else problems.push({ index, message: r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join(", ") });
  });
  if (problems.length > 0) throw new InvalidEventsError(problems);

  const byTopic = new Map<TopicName, ProducerRecord[]>();
  for (const e of valid) {
    const topic = topicForEventType(e.event_type);
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({ key: e.user_id, value: encodeViewEvent(e) });
  }
  await Promise.all([...byTopic].map(([topic, records]) => log.produce(topic, records)));
  return { accepted: valid.length };
}
