import type { Server as HttpServer, IncomingHttpHeaders } from "node:http";
import { Server, type BroadcastOperator, type Socket } from "socket.io";
import {
  CHANNEL_INTERVAL_MS,
  CHANNELS,
  CONNECT_REFUSED,
  SOCKET_PATH,
  snapshotEvent,
  subscribeSchema,
  type Channel,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from "../../lib/live/contract";
import { can } from "../../lib/auth/roles";
import type { Caller } from "../auth/authenticate";
import type { Logger } from "../logger";
import type { ChannelSources } from "./channel-sources";
import type { LiveCluster } from "./live-cluster";

/** Between gateway processes (through the cluster's adapter): the publisher's latest snapshots. */
interface InterServerEvents {
  "live:latest": (channel: Channel, payload: unknown) => void;
}

interface SocketData {
  token: string | undefined;
  cookie: string | undefined;
}

type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface LiveGateway {
  io: LiveServer;
  /** Tells this process's clients to reconnect elsewhere or later, then closes every socket. */
  close(): Promise<void>;
}

/** Messages a socket may send per window; a screen sends a handful of subscribes per connect. */
const CLIENT_MESSAGES_PER_WINDOW = 40;
const CLIENT_WINDOW_MS = 10_000;
/** Past this many in one window it is a flood, not a screen: the socket is cut off. */
const CLIENT_MESSAGES_BEFORE_DISCONNECT = 4 * CLIENT_MESSAGES_PER_WINDOW;

export interface LiveGatewayOptions {
  server: HttpServer;
  logger: Logger;
  /** Where each channel's snapshot comes from; channels without a source are refused. */
  sources: ChannelSources;
  /**
   * Who is connecting: a wall token in the handshake's `auth.token`, or the page's session cookie.
   * Only callers with the "live" permission get a socket.
   */
  authenticate: (credentials: { cookie?: string; token?: string }) => Promise<Caller | null>;
  /** Several gateway processes (REDIS_URL): rooms joined across them, one publisher. */
  cluster?: LiveCluster;
  /** Overrides CHANNEL_INTERVAL_MS (tests, benchmarks). */
  intervalMs?: Partial<Record<Channel, number>>;
  /** Connected sockets are authenticated again this often, so a revoked token stops watching. */
  reauthenticateMs?: number;
  /** Behind a reverse proxy: the page's host is in X-Forwarded-Host (TRUST_PROXY). */
  trustProxy?: boolean;
}

/**
 * The session cookie is ambient: a page of another origin on the same site (a sibling subdomain,
 * another port) could open a socket that carries it. A handshake whose Origin is not this host
 * gets no cookie; a wall token, which a page must hold to send, still works from anywhere.
 */
export function sameOriginCookie(headers: IncomingHttpHeaders, trustProxy: boolean): string | undefined {
  const origin = headers.origin;
  // No Origin: not a browser, or a browser's GET that is same-origin or no-cors (long-polling's first
  // request). A no-cors response is opaque to the page, so it never learns the session id it opened.
  if (origin === undefined) return headers.cookie;
  const forwarded = trustProxy ? String(headers["x-forwarded-host"] ?? "").split(",")[0]!.trim() : "";
  const host = forwarded || headers.host;
  try {
    return host && new URL(origin).host === host ? headers.cookie : undefined;
  } catch {
    return undefined;
  }
}

/**
 * socket.io on the given HTTP server. Each channel is a room; joining one sends its latest snapshot
 * at once (so reconnecting clients catch up immediately), then a snapshot per interval. Snapshots
 * are coalesced: only the latest is kept, a slow read skips ticks rather than queueing them, and
 * ticks are volatile, so a client that cannot keep up skips to the newest state.
 *
 * In a cluster the process holding the lease reads the sources and broadcasts through the adapter
 * to every process's rooms, and shares each snapshot with the other processes so they can answer a
 * subscribe at once. Without the bus (no cluster, or Redis down) a process serves its own clients.
 */
export function createLiveGateway(options: LiveGatewayOptions): LiveGateway {
  const log = options.logger.child({ component: "live" });
  const { cluster, sources } = options;
  const io: LiveServer = new Server(options.server, {
    path: SOCKET_PATH,
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    pingInterval: 10_000,
    pingTimeout: 8_000,
  });
  if (cluster) io.adapter(cluster.adapter);

  const interval = (channel: Channel) => options.intervalMs?.[channel] ?? CHANNEL_INTERVAL_MS[channel];
  const served = CHANNELS.filter((c) => sources[c] !== undefined);
  const latest = new Map<Channel, { payload: unknown; storedAt: number }>();
  const reads = new Map<Channel, Promise<unknown>>();
  const failures = new Map<Channel, number>();

  /** Reads a channel's source; concurrent callers share the read in flight. */
  const read = (channel: Channel): Promise<unknown> => {
    let pending = reads.get(channel);
    if (!pending) {
      const source = sources[channel] as () => unknown;
      pending = Promise.resolve()
        .then(source)
        .then((payload) => {
          latest.set(channel, { payload, storedAt: Date.now() });
          failures.delete(channel);
          return payload;
        })
        .finally(() => reads.delete(channel));
      reads.set(channel, pending);
    }
    return pending;
  };

  const logFailure = (channel: Channel, err: unknown) => {
    // A database outage fails every tick: one line per channel a minute.
    const last = failures.get(channel) ?? 0;
    if (Date.now() - last > 60_000) {
      failures.set(channel, Date.now());
      log.error({ err, channel }, "reading a live channel failed; screens keep its last snapshot");
    }
  };

  // The payload's type follows the channel, which socket.io's overloads cannot see through.
  type UntypedEmit = { emit(event: string, payload: unknown): boolean };
  const emitSnapshot = (target: BroadcastOperator<ServerToClientEvents, SocketData> | LiveSocket, channel: Channel, payload: unknown) =>
    (target as UntypedEmit).emit(snapshotEvent(channel), payload);

  /** Who broadcasts this process's ticks: everyone's (publisher), only its own clients, or nobody. */
  const role = (): "cluster" | "local" | null => {
    if (!cluster || !cluster.connected()) return "local";
    return cluster.isPublisher() ? "cluster" : null;
  };
  const hasLocalSubscribers = (channel: Channel) => (io.of("/").adapter.rooms.get(channel)?.size ?? 0) > 0;

  const tick = (channel: Channel) => {
    const mode = role();
    if (mode === null || reads.has(channel)) return;
    // Alone, nobody listening means nothing to read; a publisher cannot see other processes' rooms.
    if (mode === "local" && !hasLocalSubscribers(channel)) return;
    read(channel).then(
      (payload) => {
        const target = mode === "local" ? io.local : io;
        emitSnapshot(target.to(channel).volatile, channel, payload);
        if (mode === "cluster") io.serverSideEmit("live:latest", channel, payload);
      },
      (err: unknown) => logFailure(channel, err),
    );
  };
  const timers = served.map((channel) => {
    const timer = setInterval(() => tick(channel), interval(channel));
    timer.unref();
    return timer;
  });

  io.on("live:latest", (channel, payload) => {
    if (CHANNELS.includes(channel)) latest.set(channel, { payload, storedAt: Date.now() });
  });

  /** The snapshot a new subscriber gets: the latest if it is recent enough, else a fresh read. */
  const current = async (channel: Channel): Promise<unknown> => {
    const cached = latest.get(channel);
    if (cached && Date.now() - cached.storedAt <= interval(channel) + 1_000) return cached.payload;
    try {
      return await read(channel);
    } catch (err) {
      logFailure(channel, err);
      return cached?.payload; // an old snapshot beats none; the screen shows its age
    }
  };

  const authenticateSocket = async (data: SocketData): Promise<string | null> => {
    const caller = await options.authenticate({ cookie: data.cookie, token: data.token });
    if (!caller) return `${CONNECT_REFUSED.unauthorized}: sign in, or open the wall with its token`;
    if (!can(caller.principal, "live")) return `${CONNECT_REFUSED.forbidden}: this token cannot open live channels`;
    return null;
  };

  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    socket.data = {
      token: typeof token === "string" && token ? token : undefined,
      cookie: sameOriginCookie(socket.handshake.headers, options.trustProxy ?? false),
    };
    authenticateSocket(socket.data).then(
      (refusal) => next(refusal ? new Error(refusal) : undefined),
      (err: unknown) => {
        log.error({ err }, "authenticating a socket failed");
        next(new Error("authentication is unavailable, retrying"));
      },
    );
  });

  io.on("connection", (socket) => {
    let windowStart = Date.now();
    let messages = 0;
    /** Counts a message; false past the window's budget. A flood is disconnected. */
    const allowed = () => {
      const now = Date.now();
      if (now - windowStart > CLIENT_WINDOW_MS) {
        windowStart = now;
        messages = 0;
      }
      if (++messages === CLIENT_MESSAGES_BEFORE_DISCONNECT + 1) {
        log.warn({ address: socket.handshake.address }, "a live client flooded the gateway with messages; disconnected");
        socket.disconnect(true);
      }
      return messages <= CLIENT_MESSAGES_PER_WINDOW;
    };
    // Every message counts, whatever its event name: unknown ones are dropped, but not for free.
    // Subscribes count in their handler, which socket.io runs a tick after onAny: counted here, a
    // burst's last messages would be counted before its first were answered.
    socket.onAny((event: string) => {
      if (event !== "subscribe" && event !== "unsubscribe") allowed();
    });
    const parse = (verb: string, request: unknown): Channel | null => {
      if (!allowed()) {
        if (!socket.connected) return null;
        socket.emit("client:error", { message: `too many ${verb} requests: at most ${CLIENT_MESSAGES_PER_WINDOW} per ${CLIENT_WINDOW_MS / 1000} s` });
        return null;
      }
      const parsed = subscribeSchema.safeParse(request);
      if (!parsed.success) {
        socket.emit("client:error", { message: `invalid ${verb} request: ${parsed.error.issues[0]?.message ?? "bad payload"}` });
        return null;
      }
      if (!served.includes(parsed.data.channel)) {
        socket.emit("client:error", { message: `channel "${parsed.data.channel}" is not served by this process` });
        return null;
      }
      return parsed.data.channel;
    };

    socket.on("subscribe", (request) => {
      const channel = parse("subscribe", request);
      if (!channel) return;
      void socket.join(channel);
      void current(channel).then((payload) => {
        if (payload !== undefined && socket.connected) emitSnapshot(socket, channel, payload);
      });
    });
    socket.on("unsubscribe", (request) => {
      const channel = parse("unsubscribe", request);
      if (channel) void socket.leave(channel);
    });
  });

  // A revoked token or an ended session stops watching within this period, not at the next reconnect.
  const reauthTimer = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) {
      authenticateSocket(socket.data).then(
        (refusal) => {
          if (refusal) socket.disconnect(true);
        },
        () => undefined, // the database is down: keep the socket, check again next time
      );
    }
  }, options.reauthenticateMs ?? 60_000);
  reauthTimer.unref();

  return {
    io,
    async close() {
      for (const timer of timers) clearInterval(timer);
      clearInterval(reauthTimer);
      // Hand over first, so the other processes' screens keep ticking while this one's reconnect.
      await cluster?.release();
      io.local.emit("server:restarting");
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await cluster?.close();
    },
  };
}
