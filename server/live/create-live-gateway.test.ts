import { randomBytes } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "redis";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SOCKET_PATH, type ClientToServerEvents, type OverviewSnapshot, type ServerToClientEvents } from "../../lib/live/contract";
import { authenticate } from "../auth/authenticate";
import { createSession } from "../auth/sessions";
import { createAccount } from "../auth/accounts";
import { createAccessToken } from "../auth/tokens";
import { logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { createLiveGateway, type LiveGateway } from "./create-live-gateway";
import { createRedisCluster } from "./redis-cluster";

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const REDIS_URL = process.env.REDIS_TEST_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** An overview snapshot whose figures say which gateway made it and when. */
function overviewFrom(gateway: number, seq: number): OverviewSnapshot {
  return {
    at: Date.now(),
    eventsPerSec: gateway * 1_000_000 + seq,
    activeViewers: gateway,
    watchMinutesLastMinute: 0,
    series: [],
    topTitles: [],
    watermark: null,
    newestEventTime: null,
    lateEvents: 0,
    deadLetters: 0,
  };
}

interface Running {
  gateway: LiveGateway;
  http: HttpServer;
  url: string;
}

async function startGateway(options: {
  name: number;
  db: TestDatabase["db"];
  cluster?: Awaited<ReturnType<typeof createRedisCluster>>;
  tickMs?: number;
}): Promise<Running> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  let seq = 0;
  const gateway = createLiveGateway({
    server: http,
    logger,
    sources: { overview: () => overviewFrom(options.name, ++seq) },
    authenticate: (credentials) => authenticate(options.db, credentials),
    cluster: options.cluster,
    intervalMs: { overview: options.tickMs ?? 100 },
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { gateway, http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

const clients: Client[] = [];
function client(url: string, options: { token?: string; cookie?: string } = {}): Client {
  const socket: Client = connect(url, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    auth: options.token ? { token: options.token } : {},
    extraHeaders: options.cookie ? { cookie: options.cookie } : undefined,
  });
  clients.push(socket);
  return socket;
}

function connected(socket: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
}

function refusal(socket: Client): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => reject(new Error("connected, expected a refusal")));
    socket.once("connect_error", (err) => resolve(err.message));
  });
}

function nextOverview(socket: Client, where: (s: OverviewSnapshot) => boolean = () => true, timeoutMs = 5_000): Promise<OverviewSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off("overview:snapshot", on);
      reject(new Error("no matching overview snapshot"));
    }, timeoutMs);
    const on = (s: OverviewSnapshot) => {
      if (!where(s)) return;
      clearTimeout(timer);
      socket.off("overview:snapshot", on);
      resolve(s);
    };
    socket.on("overview:snapshot", on);
  });
}

function nextClientError(socket: Client): Promise<string> {
  return new Promise((resolve) => socket.once("client:error", (e) => resolve(e.message)));
}

const gatewayOf = (s: OverviewSnapshot) => Math.floor(s.eventsPerSec / 1_000_000);

let database: TestDatabase;
let wallToken: string;
let serviceToken: string;

beforeAll(async () => {
  database = await createTestDatabase("sr_live");
  wallToken = (await createAccessToken(database.db, { kind: "wall", name: "lobby", createdBy: "test" })).token;
  serviceToken = (await createAccessToken(database.db, { kind: "service", name: "recommender", createdBy: "test" })).token;
});

afterAll(async () => {
  await database?.drop();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

describe("live gateway: who may connect", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startGateway({ name: 1, db: database.db });
  });
  afterAll(async () => {
    await running.gateway.close();
  });

  it("refuses a socket without credentials with connect_error 'unauthorized'", async () => {
    expect(await refusal(client(running.url))).toMatch(/^unauthorized:/);
  });

  it("refuses an unknown token", async () => {
    expect(await refusal(client(running.url, { token: "srw_not-a-real-token" }))).toMatch(/^unauthorized:/);
  });

  it("refuses a service token: it has no 'live' permission", async () => {
    expect(await refusal(client(running.url, { token: serviceToken }))).toMatch(/^forbidden:/);
  });

  it("accepts a wall token and answers a subscribe at once with the channel's snapshot", async () => {
    const socket = client(running.url, { token: wallToken });
    await connected(socket);
    const first = nextOverview(socket);
    const asked = Date.now();
    socket.emit("subscribe", { channel: "overview" });
    const snapshot = await first;
    expect(gatewayOf(snapshot)).toBe(1);
    expect(Date.now() - asked).toBeLessThan(500);
  });

  it("accepts a signed-in viewer's session cookie", async () => {
    const account = await createAccount(database.db, { email: `viewer-${Date.now()}@test.local`, role: "viewer", password: "correct horse battery" });
    const session = await createSession(database.db, account.id);
    const socket = client(running.url, { cookie: `sr_session=${session.token}` });
    await connected(socket);
  });

  it("rejects malformed subscribe requests with client:error and joins nothing", async () => {
    const socket = client(running.url, { token: wallToken });
    await connected(socket);
    const untyped = socket as unknown as Socket;
    for (const bad of [{ channel: "admin" }, { channel: 42 }, "overview", null, { room: "overview" }]) {
      const error = nextClientError(socket);
      untyped.emit("subscribe", bad);
      expect(await error).toMatch(/^invalid subscribe request/);
    }
    // Still not in any room: no tick arrives.
    await expect(nextOverview(socket, () => true, 400)).rejects.toThrow(/no matching/);
  });

  it("refuses a channel this process does not serve", async () => {
    const socket = client(running.url, { token: wallToken });
    await connected(socket);
    const error = nextClientError(socket);
    socket.emit("subscribe", { channel: "retention" });
    expect(await error).toMatch(/not served/);
  });

  it("rate-limits a client's messages: past 40 in 10 s each one is refused with client:error", async () => {
    const socket = client(running.url, { token: wallToken });
    await connected(socket);
    const errors: string[] = [];
    socket.on("client:error", (e) => errors.push(e.message));
    for (let i = 0; i < 45; i++) socket.emit(i % 2 === 0 ? "subscribe" : "unsubscribe", { channel: "overview" });
    await expect.poll(() => errors.length, { timeout: 5_000 }).toBe(5);
    expect(errors.every((m) => /^too many (un)?subscribe requests: at most 40 per 10 s$/.test(m))).toBe(true);
  });

  it("stops pushing after unsubscribe", async () => {
    const socket = client(running.url, { token: wallToken });
    await connected(socket);
    socket.emit("subscribe", { channel: "overview" });
    await nextOverview(socket);
    socket.emit("unsubscribe", { channel: "overview" });
    await new Promise((r) => setTimeout(r, 150)); // a tick may already be on the wire
    await expect(nextOverview(socket, () => true, 400)).rejects.toThrow(/no matching/);
  });
});

async function redisReachable(): Promise<boolean> {
  const probe = createClient({ url: REDIS_URL, socket: { connectTimeout: 1_000, reconnectStrategy: false } });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    await probe.close();
    return true;
  } catch {
    probe.destroy();
    return false;
  }
}

const haveRedis = await redisReachable();
if (!haveRedis) {
  if (process.env.CI) throw new Error(`CI needs Redis at ${REDIS_URL} for the live cluster tests`);
  console.warn(`\n⚠ No Redis at ${REDIS_URL}: live cluster tests are SKIPPED.\n`);
}

describe.skipIf(!haveRedis)("live gateways sharing Redis", () => {
  it("a snapshot published by one gateway reaches clients of both, and the other takes over when it stops", async () => {
    // A key of its own, so a dev server on the same Redis is not part of this cluster.
    const key = `sr-test-${randomBytes(4).toString("hex")}`;
    const cluster1 = await createRedisCluster({ url: REDIS_URL, logger, key, leaseMs: 1_500 });
    const one = await startGateway({ name: 1, db: database.db, cluster: cluster1 });
    // Started second, so the first holds the publishing lease.
    const cluster2 = await createRedisCluster({ url: REDIS_URL, logger, key, leaseMs: 1_500 });
    const two = await startGateway({ name: 2, db: database.db, cluster: cluster2 });
    try {
      expect(cluster1.isPublisher()).toBe(true);
      expect(cluster2.isPublisher()).toBe(false);

      const a = client(one.url, { token: wallToken });
      const b = client(two.url, { token: wallToken });
      await Promise.all([connected(a), connected(b)]);
      a.emit("subscribe", { channel: "overview" });
      b.emit("subscribe", { channel: "overview" });

      // Gateway 2's client is served by gateway 1's ticks, through the adapter: the very same snapshot.
      const onB = await nextOverview(b, (s) => gatewayOf(s) === 1);
      const received = await Promise.all([
        nextOverview(a, (s) => s.eventsPerSec > onB.eventsPerSec),
        nextOverview(b, (s) => s.eventsPerSec > onB.eventsPerSec),
      ]);
      expect(received[0]).toEqual(received[1]);
      expect(gatewayOf(received[0])).toBe(1);

      // A late subscriber on the follower gets the publisher's latest at once, not a snapshot of its own.
      const c = client(two.url, { token: wallToken });
      await connected(c);
      const first = nextOverview(c);
      c.emit("subscribe", { channel: "overview" });
      expect(gatewayOf(await first)).toBe(1);

      // Gateway 1 shuts down (a deploy): it hands the lease over and gateway 2's clients keep ticking.
      await one.gateway.close();
      const afterHandover = await nextOverview(b, (s) => gatewayOf(s) === 2, 3_000);
      expect(gatewayOf(afterHandover)).toBe(2);
      expect(cluster2.isPublisher()).toBe(true);
    } finally {
      await Promise.allSettled([one.gateway.close(), two.gateway.close()]);
    }
  });

  it("without its Redis a gateway still serves its own clients", async () => {
    const key = `sr-test-${randomBytes(4).toString("hex")}`;
    const cluster = await createRedisCluster({ url: REDIS_URL, logger, key });
    const running = await startGateway({ name: 3, db: database.db, cluster: { ...cluster, connected: () => false, isPublisher: () => false } });
    try {
      const socket = client(running.url, { token: wallToken });
      await connected(socket);
      socket.emit("subscribe", { channel: "overview" });
      await nextOverview(socket); // the answer to subscribe
      expect(gatewayOf(await nextOverview(socket))).toBe(3); // and ticks
    } finally {
      await running.gateway.close();
    }
  });
});
