/**
 * The live gateway restarted under 100 open screens: a `--role live` process of the product
 * (server/main.ts, as production runs it) killed with SIGKILL, then stopped with SIGTERM, each time
 * followed by a new process on the same port. The screens are socket.io clients configured and kept
 * subscribed by the browser's own code (components/hooks/use-socket-channel.ts), so this measures what
 * wall screens do. Every one must see the drop, reconnect, subscribe again and get snapshots taken by
 * the new process: none may stay stale. Prints kill → fresh snapshot times. CHILD_LOG=1 shows the
 * gateways' output.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Kafka, logLevel } from "kafkajs";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { keepSubscribed, liveSocketOptions, type LiveSocket } from "../../components/hooks/use-socket-channel";
import { TOPICS } from "../../lib/config/topics";
import type { OverviewSnapshot } from "../../lib/live/contract";
import { createAccessToken } from "../auth/tokens";
import { deleteKafkaTopics } from "../log/kafka-log";
import { runTs, type RunningProcess } from "../testing/child-process";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";

const SCREENS = 100;
/** Screens share tokens as walls do, a few per token, so reconnects also hit the token lookup. */
const TOKENS = 10;

const brokers = inject("kafkaBrokers");
const prefix = `lr_${randomBytes(3).toString("hex")}.`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Screen {
  socket: LiveSocket;
  snapshots: { at: number; receivedAt: number }[];
  disconnects: { reason: string; at: number }[];
  restarting: number[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function until(what: string, done: () => boolean, timeoutMs: number, detail: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail() ? `: ${detail()}` : ""}`);
    await sleep(20);
  }
}

/** Nearest-rank percentile of `values`, 0 < p ≤ 1. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * Each gateway's live feed is a consumer group of its own. Best effort: a SIGKILLed member keeps its
 * group busy until the session timeout, after which the broker drops the empty group by itself.
 */
async function deleteTestGroups(): Promise<void> {
  const admin = new Kafka({ brokers: brokers!, clientId: "gateway-restart-test", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (ids.length > 0) await admin.deleteGroups(ids).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

let database: TestDatabase;
let port: number;
const gateways: RunningProcess[] = [];
const screens: Screen[] = [];
let finished = false;

function startGateway(name: string): RunningProcess {
  const p = runTs(name, "server/main.ts", ["--role", "live"], {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: brokers!.join(","),
    KAFKA_TOPIC_PREFIX: prefix,
    REDIS_URL: undefined,
    SIMULATOR: "false",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "info",
  });
  gateways.push(p);
  return p;
}

/** Each screen's first snapshot taken at or after `since` (the new process cannot take one earlier). */
function freshSince(since: number): (number | null)[] {
  return screens.map((s) => s.snapshots.find((x) => x.at >= since)?.receivedAt ?? null);
}

function stale(since: number): string {
  const idle = screens.map((s, i) => ({ i, s })).filter(({ s }) => !s.snapshots.some((x) => x.at >= since));
  return `${idle.length} screens without a fresh snapshot, e.g. #${idle[0]?.i}: connected=${idle[0]?.s.socket.connected}, disconnects=${JSON.stringify(idle[0]?.s.disconnects.slice(-3))}`;
}

function figures(label: string, from: number, since: number): { p50: number; p90: number; max: number } {
  const times = freshSince(since).map((t) => t! - from);
  const f = { p50: percentile(times, 0.5), p90: percentile(times, 0.9), max: Math.max(...times) };
  console.log(`${label}: ${SCREENS} screens fresh again, ms from the signal: p50 ${f.p50}, p90 ${f.p90}, max ${f.max}`);
  return f;
}

describe.skipIf(!brokers)("live gateway restarted under 100 connected screens", () => {
  beforeAll(async () => {
    database = await createTestDatabase("sr_live_restart");
    port = await freePort();
  });

  afterAll(async () => {
    finished = true;
    for (const s of screens) s.socket.disconnect();
    // SIGTERM, so the last gateway leaves its consumer group rather than leaving it to expire.
    await Promise.allSettled(gateways.map((g) => g.stop("SIGTERM", 10_000)));
    await deleteTestGroups().catch(() => undefined);
    await deleteKafkaTopics({ brokers: brokers!, log: () => undefined }, Object.values(TOPICS).map((t) => `${prefix}${t}`)).catch((err: unknown) => console.warn("deleting the test topics failed", err));
    await database?.drop();
  });

  it("[LIVE] every screen reconnects after a SIGKILL and after a SIGTERM, and gets snapshots from the new process", async () => {
    const first = startGateway("live-1");
    await first.waitForLine(/Showrunner is up/, 30_000);

    const tokens = await Promise.all(
      Array.from({ length: TOKENS }, (_, i) => createAccessToken(database.db, { kind: "wall", name: `wall ${i}`, createdBy: "test" }).then((t) => t.token)),
    );
    for (let i = 0; i < SCREENS; i++) {
      const socket: LiveSocket = io(`http://127.0.0.1:${port}`, liveSocketOptions(tokens[i % TOKENS]));
      const screen: Screen = { socket, snapshots: [], disconnects: [], restarting: [] };
      // What useSocketChannel("overview", ...) sets up on a page: wanted channels, resubscribed on each connect.
      keepSubscribed(socket, () => ["overview"], () => !finished);
      socket.on("overview:snapshot", (s: OverviewSnapshot) => screen.snapshots.push({ at: s.at, receivedAt: Date.now() }));
      socket.on("disconnect", (reason) => screen.disconnects.push({ reason, at: Date.now() }));
      socket.on("server:restarting", () => screen.restarting.push(Date.now()));
      screens.push(screen);
    }
    const opened = Date.now();
    await until("every screen's first snapshot", () => screens.every((s) => s.snapshots.length > 0), 15_000, () => stale(0));
    console.log(`${SCREENS} screens connected and subscribed in ${Date.now() - opened} ms`);

    // 1. SIGKILL: no goodbye; the screens learn it from the dropped connection.
    const killedAt = Date.now();
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    await until("every screen to see the drop", () => screens.every((s) => s.disconnects.some((d) => d.at >= killedAt)), 5_000);
    expect(new Set(screens.map((s) => s.disconnects.at(-1)!.reason))).toEqual(new Set(["transport close"]));

    const secondSpawned = Date.now();
    const second = startGateway("live-2");
    await second.waitForLine(/Showrunner is up/, 30_000);
    const secondUp = Date.now();
    console.log(`SIGKILL: the new gateway was up ${secondUp - killedAt} ms after the kill`);
    await until("every screen's snapshot from the new gateway", () => freshSince(secondSpawned).every((t) => t !== null), 30_000, () => stale(secondSpawned));
    const killed = figures("SIGKILL", killedAt, secondSpawned);
    console.log(`SIGKILL: ms from the new gateway up to fresh: p50 ${percentile(freshSince(secondSpawned).map((t) => t! - secondUp), 0.5)}, max ${Math.max(...freshSince(secondSpawned).map((t) => t! - secondUp))}`);
    // Still in the room, not just answered once: the next tick arrives too.
    await until("a tick after the answer on every screen", () => screens.every((s) => s.snapshots.filter((x) => x.at >= secondSpawned).length >= 2), 10_000);
    expect(screens.every((s) => s.socket.connected)).toBe(true);
    // Backoff is capped at 10 s; with a gateway back within a few seconds no screen may wait much past that.
    expect(killed.max).toBeLessThan(secondUp - killedAt + 12_000);

    // 2. SIGTERM: the gateway says it is restarting, then closes; the screens come back all the same.
    const terminatedAt = Date.now();
    const stopped = second.stop("SIGTERM", 15_000);
    await until("every screen to see the drop", () => screens.every((s) => s.disconnects.some((d) => d.at >= terminatedAt)), 10_000);
    expect((await stopped).code).toBe(0);
    expect(screens.filter((s) => s.restarting.some((t) => t >= terminatedAt)).length).toBe(SCREENS);
    // Closed by the server without a disconnect packet, so socket.io's own reconnection takes over.
    expect(new Set(screens.map((s) => s.disconnects.at(-1)!.reason))).toEqual(new Set(["transport close"]));

    const thirdSpawned = Date.now();
    const third = startGateway("live-3");
    await third.waitForLine(/Showrunner is up/, 30_000);
    const thirdUp = Date.now();
    await until("every screen's snapshot from the third gateway", () => freshSince(thirdSpawned).every((t) => t !== null), 30_000, () => stale(thirdSpawned));
    figures("SIGTERM", terminatedAt, thirdSpawned);
    console.log(`SIGTERM: the new gateway was up ${thirdUp - terminatedAt} ms after the signal`);
    await until("a tick after the answer on every screen", () => screens.every((s) => s.snapshots.filter((x) => x.at >= thirdSpawned).length >= 2), 10_000);
  });
});
