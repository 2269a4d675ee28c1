/**
 * Kafka topics, consumer groups and their partition counts, named once.
 * Local defaults are small; production counts come from DESIGN.md and are set with env in Kafka mode.
 */
export const TOPICS = {
  watch: "watch_events",
  like: "like_events",
  search: "search_events",
  exposure: "exposure_events",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Topics the aggregator consumes. Exposure events feed the experiments issue. */
export const VIEW_EVENT_TOPICS: readonly TopicName[] = [TOPICS.watch, TOPICS.like, TOPICS.search];

export const LOCAL_PARTITIONS: Record<TopicName, number> = {
  watch_events: 8,
  like_events: 4,
  search_events: 4,
  exposure_events: 4,
};

/** Partition counts used in production (DESIGN.md). */
export const PRODUCTION_PARTITIONS: Record<TopicName, number> = {
  watch_events: 50,
  like_events: 30,
  search_events: 20,
  exposure_events: 20,
};

export const CONSUMER_GROUPS = {
  aggregator: "showrunner-aggregator",
} as const;
