/**
 * The soak's wall screens, in a process of their own (forked by bench/soak.ts, IPC) so that the
 * producer's work does not delay their receipts: N socket.io clients with a wall token, each
 * subscribed to `overview`, reconnecting as a screen does. Per report it answers with what arrived
 * since the previous one and since `mark` (the end of the warm-up):
 * - staleness: receipt − snapshot.at (how old the state on screen is when it lands);
 * - event → screen: receipt − snapshot.newestEventTime (the producer stamps events with the time it
 *   sends them, so this is produce → Kafka → aggregator commit → live windows → snapshot → screen);
 * - gap: the longest time a connected client went without a snapshot, open gaps included.
 */
import { io, type Socket } from "socket.io-client";
import { SOCKET_PATH, type ClientToServerEvents, type OverviewSnapshot, type ServerToClientEvents } from "../../lib/live/contract";
import { Histogram, type LatencySummary } from "./figures";

export type ToClients =
  | { type: "connect"; url: string; token: string; total: number }
  | { type: "mark" }
  | { type: "report" }
  | { type: "exit" };

export interface ClientFigures {
  snapshots: number;
  /** Fewest and most snapshots any one client received. */
  perClientMin: number;
  perClientMax: number;
  staleness: LatencySummary;
  eventToScreen: LatencySummary;
  maxGapMs: number;
}

export type FromClients =
  | { type: "connected"; connected: number; failed: string[]; ms: number }
  | {
      type: "report";
      at: number;
      clients: number;
      connected: number;
      disconnects: number;
      reconnects: number;
      clientErrors: string[];
      /** This process's CPU since the previous report, % of one core. */
      cpuPct: number;
      interval: ClientFigures & { seconds: number };
      sinceMark: (ClientFigures & { seconds: number }) | null;
    };

interface Screen {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  connectedOnce: boolean;
  interval: { snapshots: number; maxGapMs: number };
  sinceMark: { snapshots: number; maxGapMs: number };
  /** Last receipt (or connect), epoch ms; null while disconnected. */
  lastAt: number | null;
}

class Accumulator {
  readonly staleness = new Histogram();
  readonly eventToScreen = new Histogram();
  startedAt = Date.now();

  reset(): void {
    this.staleness.reset();
    this.eventToScreen.reset();
    this.startedAt = Date.now();
  }
}

if (!process.send) throw new Error("bench/soak/clients.ts is forked by bench/soak.ts (it talks over IPC)");
const send = (m: FromClients) => process.send!(m);

const screens: Screen[] = [];
const interval = new Accumulator();
let sinceMark: Accumulator | null = null;
let cpu = process.cpuUsage();
let cpuSince = performance.now();
let disconnects = 0;
let reconnects = 0;
const clientErrors: string[] = [];

function openScreen(url: string, token: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
      path: SOCKET_PATH,
      transports: ["websocket"],
      forceNew: true,
      auth: { token },
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    const screen: Screen = { socket, connectedOnce: false, interval: { snapshots: 0, maxGapMs: 0 }, sinceMark: { snapshots: 0, maxGapMs: 0 }, lastAt: null };
    screens.push(screen);
    socket.on("connect", () => {
      if (screen.connectedOnce) reconnects++;
      screen.connectedOnce = true;
      screen.lastAt = Date.now();
      socket.emit("subscribe", { channel: "overview" });
      resolve(null);
    });
    socket.on("disconnect", () => {
      disconnects++;
      screen.lastAt = null;
    });
    socket.on("connect_error", (err) => {
      if (!screen.connectedOnce) resolve(err.message);
    });
    socket.on("client:error", (e) => {
      if (clientErrors.length < 20) clientErrors.push(e.message);
    });
    socket.on("overview:snapshot", (s: OverviewSnapshot) => {
      const now = Date.now();
      if (screen.lastAt !== null) {
        const gap = now - screen.lastAt;
        screen.interval.maxGapMs = Math.max(screen.interval.maxGapMs, gap);
        screen.sinceMark.maxGapMs = Math.max(screen.sinceMark.maxGapMs, gap);
      }
      screen.lastAt = now;
      screen.interval.snapshots++;
      screen.sinceMark.snapshots++;
      for (const acc of [interval, sinceMark]) {
        if (!acc) continue;
        acc.staleness.add(now - s.at);
        if (s.newestEventTime !== null) acc.eventToScreen.add(now - s.newestEventTime);
      }
    });
  });
}

function figures(acc: Accumulator, part: "interval" | "sinceMark"): ClientFigures & { seconds: number } {
  const now = Date.now();
  const counts = screens.map((s) => s[part].snapshots);
  // A connected screen that has heard nothing for a while is the stalest of all: its open gap counts.
  const gaps = screens.map((s) => Math.max(s[part].maxGapMs, s.lastAt === null ? 0 : now - Math.max(s.lastAt, acc.startedAt)));
  return {
    seconds: (now - acc.startedAt) / 1000,
    snapshots: counts.reduce((a, b) => a + b, 0),
    perClientMin: counts.length ? Math.min(...counts) : 0,
    perClientMax: counts.length ? Math.max(...counts) : 0,
    staleness: acc.staleness.summary(),
    eventToScreen: acc.eventToScreen.summary(),
    maxGapMs: gaps.length ? Math.max(...gaps) : 0,
  };
}

process.on("message", (message: ToClients) => {
  void (async () => {
    if (message.type === "connect") {
      const started = performance.now();
      const failed: string[] = [];
      // In waves, as screens coming up after a deploy would: not all in one tick.
      while (screens.length < message.total) {
        const wave = Math.min(50, message.total - screens.length);
        const results = await Promise.all(Array.from({ length: wave }, () => openScreen(message.url, message.token)));
        failed.push(...results.filter((r): r is string => r !== null));
      }
      interval.reset();
      send({ type: "connected", connected: screens.filter((s) => s.socket.connected).length, failed, ms: performance.now() - started });
    } else if (message.type === "mark") {
      sinceMark = new Accumulator();
      for (const s of screens) s.sinceMark = { snapshots: 0, maxGapMs: 0 };
    } else if (message.type === "report") {
      const used = process.cpuUsage(cpu);
      const cpuPct = ((used.user + used.system) / 1000 / (performance.now() - cpuSince)) * 100;
      cpu = process.cpuUsage();
      cpuSince = performance.now();
      const report: FromClients = {
        type: "report",
        at: Date.now(),
        clients: screens.length,
        connected: screens.filter((s) => s.socket.connected).length,
        disconnects,
        reconnects,
        clientErrors: [...clientErrors],
        cpuPct,
        interval: figures(interval, "interval"),
        sinceMark: sinceMark ? figures(sinceMark, "sinceMark") : null,
      };
      interval.reset();
      for (const s of screens) s.interval = { snapshots: 0, maxGapMs: 0 };
      send(report);
    } else if (message.type === "exit") {
      for (const s of screens) s.socket.disconnect();
      process.exit(0);
    }
  })();
});
process.on("disconnect", () => process.exit(0)); // the soak went away: so do its screens
