"use client";

import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import {
  SOCKET_PATH,
  type Channel,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from "@/lib/live/contract";

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** live: fresh data flowing; reconnecting: a short gap we expect to heal; offline: a long one. */
export type ConnectionState = "live" | "reconnecting" | "offline";

/** Snapshots come at 1 Hz; this long without one on an open connection means the feed stalled. */
const STALL_MS = 5_000;
/** Disconnected this long, the badge says Offline; socket.io keeps retrying all the same. */
const OFFLINE_AFTER_MS = 15_000;
const CONNECTING = "Connecting…";

/**
 * One socket per page, shared by every channel hook on it. Channels are reference-counted so two
 * widgets on one channel don't unsubscribe each other, and every channel still wanted is
 * subscribed again on each (re)connect: a new server process knows nothing of old rooms.
 */
interface SharedSocket {
  socket: LiveSocket;
  channels: Map<Channel, number>;
}
let shared: SharedSocket | null = null;

function createSharedSocket(): SharedSocket {
  const socket: LiveSocket = io({
    path: SOCKET_PATH,
    // Exponential backoff with jitter, forever: wall screens must heal without anyone touching them.
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
  });
  const entry: SharedSocket = { socket, channels: new Map() };
  // socket.io retries dropped transports by itself, but leaves two cases to the app: the server
  // disconnecting us, and the server refusing the connection (middleware). A dashboard comes back.
  let manualAttempts = 0;
  let manualTimer: ReturnType<typeof setTimeout> | undefined;
  const reconnectLater = () => {
    if (manualTimer !== undefined) return;
    const delay = Math.min(10_000, 1_000 * 2 ** manualAttempts) * (0.5 + Math.random());
    manualAttempts += 1;
    manualTimer = setTimeout(() => {
      manualTimer = undefined;
      if (shared === entry && !socket.connected && !socket.active) socket.connect();
    }, delay);
  };
  socket.on("connect", () => {
    manualAttempts = 0;
    for (const channel of entry.channels.keys()) socket.emit("subscribe", { channel });
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") reconnectLater();
  });
  socket.on("connect_error", () => {
    if (!socket.active) reconnectLater();
  });
  return entry;
}

function acquireChannel(channel: Channel): LiveSocket {
  shared ??= createSharedSocket();
  const count = shared.channels.get(channel) ?? 0;
  shared.channels.set(channel, count + 1);
  if (count === 0 && shared.socket.connected) shared.socket.emit("subscribe", { channel });
  return shared.socket;
}

function releaseChannel(socket: LiveSocket, channel: Channel): void {
  // Deferred, so React's unmount-and-remount (Strict Mode, fast refresh) doesn't drop the connection.
  setTimeout(() => {
    const entry = shared;
    if (!entry || entry.socket !== socket) return;
    const count = (entry.channels.get(channel) ?? 1) - 1;
    if (count > 0) {
      entry.channels.set(channel, count);
      return;
    }
    entry.channels.delete(channel);
    if (socket.connected) socket.emit("unsubscribe", { channel });
    if (entry.channels.size === 0) {
      socket.disconnect();
      shared = null;
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
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** What is happening, in words, when not live: "Connecting…", "Server restarting…". */
  note: string | null;
  /** Still on the first attempt since the page opened: nothing on screen can be stale yet. */
  connecting: boolean;
}

function deriveStatus(facts: ConnectionFacts, now: number): ConnectionStatus {
  const status = deriveState(facts, now);
  return { ...status, connecting: status.state !== "live" && status.note === CONNECTING };
}

function deriveState(facts: ConnectionFacts, now: number): Omit<ConnectionStatus, "connecting"> {
  if (facts.browserOffline) return { state: "offline", note: "no network" };
  if (facts.connected) {
    if (facts.gotMessageSinceConnect && facts.lastMessageAt !== null && now - facts.lastMessageAt <= STALL_MS) {
      return { state: "live", note: null };
    }
    const waitingSince = facts.gotMessageSinceConnect ? facts.lastMessageAt : facts.connectedAt;
    if (waitingSince !== null && now - waitingSince > STALL_MS) {
      return { state: "reconnecting", note: "Waiting for data…" };
    }
    return { state: "reconnecting", note: facts.connects > 1 ? "Reconnecting…" : CONNECTING };
  }
  if (facts.disconnectedAt !== null && now - facts.disconnectedAt > OFFLINE_AFTER_MS) {
    return { state: "offline", note: "retrying" };
  }
  if (facts.serverRestarting) return { state: "reconnecting", note: "Server restarting…" };
  return { state: "reconnecting", note: facts.connects > 0 ? "Reconnecting…" : CONNECTING };
}

type Payload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

export interface SocketChannel<T> {
  /** The newest payload received, kept across disconnects so the screen shows the last known state. */
  latest: T | undefined;
  /** Client clock when `latest` arrived, epoch ms. */
  receivedAt: number | null;
  status: ConnectionStatus;
}

/**
 * Subscribe to a live channel and keep its newest `event` payload. Snapshots are whole states,
 * so only the latest one is kept: memory stays flat however long a wall screen runs.
 */
export function useSocketChannel<E extends keyof ServerToClientEvents>(
  channel: Channel,
  event: E,
): SocketChannel<Payload<E>> {
  const [latest, setLatest] = useState<{ payload: Payload<E>; receivedAt: number } | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>({ state: "reconnecting", note: CONNECTING, connecting: true });

  useEffect(() => {
    const socket = acquireChannel(channel);
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
    };
    const publish = () => {
      const next = deriveStatus(facts, Date.now());
      setStatus((prev) =>
        prev.state === next.state && prev.note === next.note && prev.connecting === next.connecting ? prev : next,
      );
    };

    const onConnect = () => {
      Object.assign(facts, {
        connected: true,
        connects: facts.connects + 1,
        connectedAt: Date.now(),
        disconnectedAt: null,
        gotMessageSinceConnect: false,
        serverRestarting: false,
      });
      publish();
    };
    const onDisconnect = () => {
      facts.connected = false;
      facts.disconnectedAt ??= Date.now();
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
      socket.off("server:restarting", onRestarting);
      untyped.off(eventName, listener);
      releaseChannel(socket, channel);
    };
  }, [channel, event]);

  return { latest: latest?.payload, receivedAt: latest?.receivedAt ?? null, status };
}
