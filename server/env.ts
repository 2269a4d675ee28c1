import { z } from "zod";
import { parseFrameAncestors } from "./http/wall-framing";

/**
 * The process's configuration, validated once. Anything wrong fails start-up with every problem
 * listed, rather than surfacing later as a confusing connection error.
 */
const envSchema = z.object({
  /** Postgres URL. Unset → an embedded Postgres with its data under DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Comma-separated Kafka brokers. Unset → the in-process log. */
  KAFKA_BROKERS: z
    .string()
    .transform((s) => s.split(",").map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, "brokers are host:port")).min(1))
    .optional(),
  /** Prefix of every topic name and consumer group id on the broker, to share a cluster (tests, tenants). */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, "letters, digits, . _ -").default(""),
  /** Partition counts for topics this process creates: small local ones, or DESIGN.md's. */
  KAFKA_PARTITIONS: z.enum(["local", "production"]).default("local"),
  KAFKA_SSL: z.stringbool().default(false),
  KAFKA_SASL_MECHANISM: z.enum(["plain", "scram-sha-256", "scram-sha-512"]).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** Redis for several live gateway processes (socket.io adapter + publisher lease). Unset → one process serves its own clients. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Interface to listen on; set 0.0.0.0 to serve other machines (wall screens). */
  HOST: z.string().default("127.0.0.1"),
  /** Port of the embedded Postgres (zero-setup mode only). */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Where the embedded Postgres and other local state live. */
  DATA_DIR: z.string().default(".data"),
  /** Built-in traffic simulator: on by default in the zero-setup mode. */
  SIMULATOR: z.stringbool().default(true),
  SIM_SEED: z.coerce.number().int().default(42),
  SIM_USERS: z.coerce.number().int().min(100).max(2_000_000).default(20_000),
  /** Days of history generated on first start (0 = none). */
  SIM_BACKFILL_DAYS: z.coerce.number().int().min(0).max(120).default(28),
  /** Multiplies the live simulated traffic. */
  SIM_RATE: z.coerce.number().min(0.01).max(1000).default(20),
  /** Mark session cookies Secure: set when the dashboard is served over HTTPS (e.g. behind a proxy). */
  COOKIE_SECURE: z.stringbool().default(false),
  /**
   * Origins allowed to frame the wall screen (/wall only), e.g. a signage portal: space-separated
   * https://host[:port]. Unset → no page can be framed.
   */
  WALL_FRAME_ANCESTORS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseFrameAncestors(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Behind a reverse proxy that sets X-Forwarded-For: trust it for the per-address sign-in limit. */
  TRUST_PROXY: z.stringbool().default(false),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}
