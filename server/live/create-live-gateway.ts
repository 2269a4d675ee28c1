import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import {
  SOCKET_PATH,
  subscribeSchema,
  type ClientToServerEvents,
  type OverviewSnapshot,
  type ServerToClientEvents,
} from "../../lib/live/contract";
import type { Logger } from "../logger";

export interface LiveGateway {
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  /** Tells clients to reconnect elsewhere or later, then closes every socket. */
  close(): Promise<void>;
}

/**
 * socket.io on the given HTTP server. Each channel is a room; joining one sends its latest snapshot
 * at once (so reconnecting clients catch up immediately), then a snapshot per tick. Ticks are
 * volatile: a client that cannot keep up skips to the newest state instead of queueing a backlog.
 */
export function createLiveGateway(options: {
  server: HttpServer;
  logger: Logger;
  overview: () => OverviewSnapshot;
  tickMs?: number;
}): LiveGateway {
  const log = options.logger.child({ component: "live" });
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(options.server, {
    path: SOCKET_PATH,
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    pingInterval: 10_000,
    pingTimeout: 8_000,
  });
  let latest: OverviewSnapshot | null = null;
  const current = () => (latest ??= options.overview());

  io.on("connection", (socket) => {
    socket.on("subscribe", (request) => {
      const parsed = subscribeSchema.safeParse(request);
      if (!parsed.success) {
        socket.emit("client:error", { message: `invalid subscribe request: ${parsed.error.issues[0]?.message ?? "bad payload"}` });
        return;
      }
      void socket.join(parsed.data.channel);
      socket.emit("overview:snapshot", current());
    });
    socket.on("unsubscribe", (request) => {
      const parsed = subscribeSchema.safeParse(request);
      if (parsed.success) void socket.leave(parsed.data.channel);
    });
  });

  const timer = setInterval(() => {
    try {
      latest = options.overview();
      io.to("overview").volatile.emit("overview:snapshot", latest);
    } catch (err) {
      log.error({ err }, "snapshot failed");
    }
  }, options.tickMs ?? 1000);
  timer.unref();

  return {
    io,
    async close() {
      clearInterval(timer);
      io.emit("server:restarting");
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
