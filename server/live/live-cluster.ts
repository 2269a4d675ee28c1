import type { Server } from "socket.io";

/**
 * Several gateway processes serving one set of live channels. The adapter joins their rooms, so a
 * broadcast from one process reaches every subscriber; one process at a time (the publisher) reads
 * the channels and broadcasts, so all screens see the same snapshots and Postgres is read once per
 * interval for the whole cluster, not once per process.
 */
export interface LiveCluster {
  /** The socket.io adapter that joins the processes' rooms. */
  adapter: Parameters<Server["adapter"]>[0];
  /** The shared bus is up. While it is down every process serves its own clients from its own state. */
  connected(): boolean;
  /** This process holds the publishing lease. */
  isPublisher(): boolean;
  /** Gives the lease up, so another process takes over at once instead of when it expires. */
  release(): Promise<void>;
  /** Disconnects from the bus; after the socket.io server (and so the adapter) is closed. */
  close(): Promise<void>;
}
