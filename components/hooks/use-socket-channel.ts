"use client";

import { useEffect, useState } from "react";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import {
  CHANNEL_INTERVAL_MS,
  CONNECT_REFUSED,
  SOCKET_PATH,
  type Channel,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from "@/lib/live/contract";

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** live: fresh data flowing; reconnecting: a short gap we expect to heal; offline: a long one. */
export type ConnectionState = "live" | "reconnecting" | "offline";

/**
 * An open connection without a snapshot for this long means the feed stalled: a few of the
 * channel's intervals, and never less than 5 s (1 Hz channels).
 */
function stallMs(channel: Channel): number {
  return Math.max(5_000, 2.5 * CHANNEL_INTERVAL_MS[channel]);
}
/** Disconnected this long, the badge says Offline; socket.io keeps retrying all the same. */
const OFFLINE_AFTER_MS = 15_000;
const CONNECTING = "Connecting…";

/**
 * One socket per page (per credentials), shared by every channel hook on it. Channels are
 * reference-counted so two widgets on one channel don't unsubscribe each other, and every channel
 * still wanted is subscribed again on each (re)connect: a new server process knows nothing of old rooms.
 */
interface SharedSocket {
  socket: LiveSocket;
  channels: Map<Channel, number>;
  dispose(): void;
}
/** Keyed by the token ("" = the page's session cookie). */
const sharedSockets = new Map<string, SharedSocket>();

/**
 * How a live socket connects and reconnects. Exported so the gateway restart test
 * (server/live/gateway-restart.test.ts) connects its clients exactly as pages do.
 */
export function liveSocketOptions(token: string | undefined): Partial<ManagerOptions & SocketOptions> {
  return {
    path: SOCKET_PATH,
    // A wall screen holds a read-only token instead of a session; the gateway reads it from `auth`.
    auth: token ? { token } : {},
    // WebSocket first: one round trip to the first frame instead of a polling handshake and an
    // upgrade; long-polling remains the fallback where a proxy refuses WebSockets.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    // Exponential backoff with jitter, forever: wall screens must heal without anyone touching them.
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
  };
}

/**
 * Keeps a socket on its channels: every channel `wanted()` names is subscribed again on each
 * (re)connect, since a new server process knows nothing of old rooms. socket.io retries dropped
 * transports by itself, but leaves two cases to the app: the server disconnecting us, and the
 * server refusing the connection (middleware). A dashboard comes back from those too, with backoff,
 * for as long as `alive()`.
 */
export function keepSubscribed(socket: LiveSocket, wanted: () => Iterable<Channel>, alive: () => boolean): void {
  let manualAttempts = 0;
  let manualTimer: ReturnType<typeof setTimeout> | undefined;
  const reconnectLater = () => {
    if (manualTimer !== undefined) return;
    const delay = Math.min(10_000, 1_000 * 2 ** manualAttempts) * (0.5 + Math.random());
    manualAttempts += 1;
    manualTimer = setTimeout(() => {
      manualTimer = undefined;
      if (alive() && !socket.connected && !socket.active) socket.connect();
    }, delay);
  };
  socket.on("connect", () => {
    manualAttempts = 0;
    for (const channel of wanted()) socket.emit("subscribe", { channel });
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") reconnectLater();
  });
  socket.on("connect_error", () => {
    if (!socket.active) reconnectLater();
  });
}

function createSharedSocket(key: string, token: string | undefined): SharedSocket {
  const socket: LiveSocket = io(liveSocketOptions(token));
  // The network is back: try now rather than when the backoff (up to 10 s) says.
  const onOnline = () => reconnectNow(socket);
  window.addEventListener("online", onOnline);
  const entry: SharedSocket = { socket, channels: new Map(), dispose: () => window.removeEventListener("online", onOnline) };
  keepSubscribed(socket, () => entry.channels.keys(), () => sharedSockets.get(key) === entry);
  return entry;
}

/** Closing the idle manager cancels its pending attempt and resets the backoff. */
function reconnectNow(socket: LiveSocket): void {
  if (socket.connected) return;
  socket.disconnect();
  socket.connect();
}

function acquireChannel(channel: Channel, token: string | undefined): LiveSocket {
  const key = token ?? "";
  let entry = sharedSockets.get(key);
  if (!entry) {
    entry = createSharedSocket(key, token);
    sharedSockets.set(key, entry);
  }
  const count = entry.channels.get(channel) ?? 0;
  entry.channels.set(channel, count + 1);
  if (count === 0 && entry.socket.connected) entry.socket.emit("subscribe", { channel });
  return entry.socket;
}

function releaseChannel(socket: LiveSocket, channel: Channel, token: string | undefined): void {
  // Deferred, so React's unmount-and-remount (Strict Mode, fast refresh) doesn't drop the connection.
  setTimeout(() => {
    const key = token ?? "";
    const entry = sharedSockets.get(key);
    if (!entry || entry.socket !== socket) return;
    const count = (entry.channels.get(channel) ?? 1) - 1;
    if (count > 0) {
      entry.channels.set(channel, count);
      return;
    }
    entry.channels.delete(channel);
    if (socket.connected) socket.emit("unsubscribe", { channel });
    if (entry.channels.size === 0) {
      entry.dispose();
      socket.disconnect();
      sharedSockets.delete(key);
    }
  }, 0);
}

interface ConnectionFacts {
  connected: boolean;
  connects: number;
  connectedAt: number | null;
  disconnectedAt: number | null;
  lastMessageAt: number | null;
  gotMessageSinceConnect: boolean;
  serverRestarting: boolean;
  browserOffline: boolean;
  /** The server's reason for refusing the last attempt, when it was about the credentials. */
  refused: string | null;
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** What is happening, in words, when not live: "Connecting…", "Server restarting…". */
  note: string | null;
  /** Still on the first attempt since the page opened: nothing on screen can be stale yet. */
  connecting: boolean;
  /**
   * The server refused these credentials (unknown or revoked token, ended session): its message.
   * Retries continue, but only new credentials will help.
   */
  refused: string | null;
}

function deriveStatus(facts: ConnectionFacts, now: number, stall: number): ConnectionStatus {
  const status = deriveState(facts, now, stall);
  return { ...status, connecting: status.state !== "live" && status.note === CONNECTING, refused: facts.connected ? null : facts.refused };
}

function deriveState(facts: ConnectionFacts, now: number, stall: number): Pick<ConnectionStatus, "state" | "note"> {
  if (facts.browserOffline) return { state: "offline", note: "no network" };
  if (facts.connected) {
    if (facts.gotMessageSinceConnect && facts.lastMessageAt !== null && now - facts.lastMessageAt <= stall) {
      return { state: "live", note: null };
    }
    const waitingSince = facts.gotMessageSinceConnect ? facts.lastMessageAt : facts.connectedAt;
    if (waitingSince !== null && now - waitingSince > stall) {
      return { state: "reconnecting", note: "Waiting for data…" };
    }
    return { state: "reconnecting", note: facts.connects > 1 ? "Reconnecting…" : CONNECTING };
  }
  if (facts.refused) return { state: "offline", note: "access refused" };
  if (facts.disconnectedAt !== null && now - facts.disconnectedAt > OFFLINE_AFTER_MS) {
    return { state: "offline", note: "retrying" };
  }
  if (facts.serverRestarting) return { state: "reconnecting", note: "Server restarting…" };
  return { state: "reconnecting", note: facts.connects > 0 ? "Reconnecting…" : CONNECTING };
}

function sameStatus(a: ConnectionStatus, b: ConnectionStatus): boolean {
  return a.state === b.state && a.note === b.note && a.connecting === b.connecting && a.refused === b.refused;
}

type Payload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

export interface SocketChannelOptions<T = unknown> {
  /** A wall token, sent as the handshake's `auth.token`; without one the session cookie is used. */
  token?: string;
  /** False: don't subscribe (a screen showing only some channels calls the hook for each). */
  enabled?: boolean;
  /** A snapshot rendered with the page, shown until the socket's first one arrives. */
  initial?: T;
}

export interface SocketChannel<T> {
  /** The newest payload received, kept across disconnects so the screen shows the last known state. */
  latest: T | undefined;
  /** Client clock when `latest` arrived, epoch ms. */
  receivedAt: number | null;
  status: ConnectionStatus;
  /**
   * Client clock of the newest payload while the channel is not live, epoch ms: what is on screen
   * is that old. Null while live, while still connecting for the first time, or before any data.
   */
  staleSince: number | null;
}

/**
 * Subscribe to a live channel and keep its newest `event` payload. Snapshots are whole states,
 * so only the latest one is kept: memory stays flat however long a wall screen runs.
 */
export function useSocketChannel<E extends keyof ServerToClientEvents>(
  channel: Channel,
  event: E,
  options: SocketChannelOptions<Payload<E>> = {},
): SocketChannel<Payload<E>> {
  const { token, enabled = true } = options;
  const [latest, setLatest] = useState<{ payload: Payload<E>; receivedAt: number } | null>(() =>
    options.initial === undefined ? null : { payload: options.initial, receivedAt: Date.now() },
  );
  const [status, setStatus] = useState<ConnectionStatus>({ state: "reconnecting", note: CONNECTING, connecting: true, refused: null });

  useEffect(() => {
    if (!enabled) return;
    const socket = acquireChannel(channel, token);
    const stall = stallMs(channel);
    const now = Date.now();
    const facts: ConnectionFacts = {
      connected: socket.connected,
      connects: socket.connected ? 1 : 0,
      connectedAt: socket.connected ? now : null,
      disconnectedAt: socket.connected ? null : now,
      lastMessageAt: null,
      gotMessageSinceConnect: false,
      serverRestarting: false,
      browserOffline: navigator.onLine === false,
      refused: null,
    };
    const publish = () => {
      const next = deriveStatus(facts, Date.now(), stall);
      setStatus((prev) => (sameStatus(prev, next) ? prev : next));
    };

    const onConnect = () => {
      Object.assign(facts, {
        connected: true,
        connects: facts.connects + 1,
        connectedAt: Date.now(),
        disconnectedAt: null,
        gotMessageSinceConnect: false,
        serverRestarting: false,
        refused: null,
      });
      publish();
    };
    const onDisconnect = () => {
      facts.connected = false;
      facts.disconnectedAt ??= Date.now();
      publish();
    };
    const onConnectError = (err: Error) => {
      const refused = err.message.startsWith(CONNECT_REFUSED.unauthorized) || err.message.startsWith(CONNECT_REFUSED.forbidden);
      facts.refused = refused ? err.message : null;
      publish();
    };
    const onMessage = (payload: Payload<E>) => {
      facts.lastMessageAt = Date.now();
      facts.gotMessageSinceConnect = true;
      setLatest({ payload, receivedAt: facts.lastMessageAt });
      publish();
    };
    const onRestarting = () => {
      facts.serverRestarting = true;
      publish();
    };
    const onNetworkChange = () => {
      facts.browserOffline = navigator.onLine === false;
      publish();
    };

    // The listener's type depends on E, which TypeScript cannot follow through socket.io's overloads.
    const untyped = socket as unknown as Socket;
    const eventName: string = event;
    const listener = onMessage as (...args: unknown[]) => void;
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onConnectError);
    socket.on("server:restarting", onRestarting);
    untyped.on(eventName, listener);
    window.addEventListener("online", onNetworkChange);
    window.addEventListener("offline", onNetworkChange);
    // Stalls and long outages are the absence of events, so look at the clock as well.
    const timer = window.setInterval(publish, 1_000);
    publish();

    return () => {
      window.clearInterval(timer);
      window.removeEventListener("online", onNetworkChange);
      window.removeEventListener("offline", onNetworkChange);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("connect_error", onConnectError);
      socket.off("server:restarting", onRestarting);
      untyped.off(eventName, listener);
      releaseChannel(socket, channel, token);
    };
  }, [channel, event, token, enabled]);

  const receivedAt = latest?.receivedAt ?? null;
  const staleSince = status.state === "live" || status.connecting ? null : receivedAt;
  return { latest: latest?.payload, receivedAt, status, staleSince };
}
