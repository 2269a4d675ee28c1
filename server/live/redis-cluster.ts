import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import type { Logger } from "../logger";
import type { LiveCluster } from "./live-cluster";

/** Takes the lease when free or renews our own; 1 = we hold it for `ttl` ms from now. */
const ACQUIRE_OR_RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisClusterOptions {
  url: string;
  logger: Logger;
  /** Prefix of the adapter's pub/sub channels and of the lease key: gateways sharing it form one cluster. */
  key?: string;
  /**
   * How long the publishing lease lasts without renewal, ms. A crashed publisher's screens go
   * without ticks for at most this long (plus one renewal period) before another process takes over.
   */
  leaseMs?: number;
  /** Start-up fails when Redis does not answer within this long: REDIS_URL is set, so it is meant to be there. */
  connectTimeoutMs?: number;
}

/**
 * The live cluster over Redis: @socket.io/redis-adapter for the rooms, and a lease key (SET NX PX,
 * renewed by a script that checks the holder) for the publisher. Redis outages are survived: the
 * clients reconnect with backoff, publishes in between are dropped rather than queued (they are
 * ticks; the next one supersedes them), and the gateway serves its own clients meanwhile.
 */
export async function createRedisCluster(options: RedisClusterOptions): Promise<LiveCluster> {
  const log = options.logger.child({ component: "live-cluster" });
  const key = options.key ?? "showrunner-live";
  const leaseKey = `${key}:publisher`;
  const leaseMs = options.leaseMs ?? 3_000;
  const id = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

  const pub = createClient({
    url: options.url,
    // A tick published after an outage would be stale: fail fast instead of queueing.
    disableOfflineQueue: true,
    pingInterval: 5_000,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(5_000, 100 * 2 ** retries) + Math.floor(Math.random() * 250) },
  });
  // Subscriptions are replayed on reconnect; the subscriber keeps its offline queue for that.
  const sub = pub.duplicate({ disableOfflineQueue: false });
  let warnedAt = 0;
  const onError = (err: unknown) => {
    // A down Redis emits an error per reconnect attempt: log one line a minute.
    if (Date.now() - warnedAt > 60_000) {
      warnedAt = Date.now();
      log.warn({ err }, "redis unavailable: serving this process's clients on its own until it is back");
    }
  };
  pub.on("error", onError);
  sub.on("error", onError);

  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([pub.connect(), sub.connect()]),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis at REDIS_URL did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    pub.destroy();
    sub.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  // The adapter publishes without handling the promise; a rejected publish must not become an
  // unhandled rejection (that would end the process).
  const safePub = new Proxy(pub, {
    get(target, prop) {
      if (prop === "publish") {
        return (channel: string, message: string | Buffer) =>
          target.publish(channel, message).catch((err: unknown) => {
            onError(err);
            return 0;
          });
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

  // performance.now() rather than Date.now(): a wall-clock step must not extend the lease.
  let leaseUntil = 0;
  let stopped = false;
  const renew = async () => {
    if (stopped || !pub.isReady) return;
    const started = performance.now();
    try {
      const held = await pub.eval(ACQUIRE_OR_RENEW, { keys: [leaseKey], arguments: [id, String(leaseMs)] });
      const wasPublisher = started < leaseUntil;
      // A margin for clock rate differences and the round trip: step down before Redis expires it.
      leaseUntil = held === 1 ? started + leaseMs * 0.8 : 0;
      if (held === 1 && !wasPublisher) log.info({ id }, "this gateway publishes the live channels");
      if (held !== 1 && wasPublisher) log.info({ id }, "another gateway publishes the live channels now");
    } catch (err) {
      onError(err);
    }
  };
  await renew();
  const renewTimer = setInterval(() => void renew(), Math.max(100, Math.floor(leaseMs / 3)));
  renewTimer.unref();

  return {
    adapter: createAdapter(safePub, sub, { key }),
    connected: () => pub.isReady && sub.isReady,
    isPublisher: () => performance.now() < leaseUntil,
    async release() {
      stopped = true;
      clearInterval(renewTimer);
      leaseUntil = 0;
      if (pub.isReady) await pub.eval(RELEASE, { keys: [leaseKey], arguments: [id] }).catch(onError);
    },
    async close() {
      stopped = true;
      clearInterval(renewTimer);
      leaseUntil = 0;
      await Promise.allSettled([pub.close(), sub.close()]);
    },
  };
}
