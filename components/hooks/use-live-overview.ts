"use client";

import { useQuery } from "@tanstack/react-query";
import type { OverviewResponse } from "@/lib/api/types";
import type { OverviewSnapshot } from "@/lib/live/contract";
import { fetchJson, retryTransient } from "./fetch-json";
import { useSocketChannel, type ConnectionStatus } from "./use-socket-channel";

/** While the socket is down, poll the HTTP snapshot this often so a wall screen doesn't freeze. */
const FALLBACK_POLL_MS = 10_000;

export interface LiveOverview {
  snapshot: OverviewSnapshot | undefined;
  status: ConnectionStatus;
  /** Client clock of the newest data on screen, epoch ms, when not live; null while live. */
  staleSince: number | null;
  /** True until the first snapshot arrives from either source. */
  isLoading: boolean;
  /** The HTTP error, only while there is nothing to show instead. */
  error: Error | null;
  retry: () => void;
}

/**
 * The overview: a first snapshot over HTTP for a fast first paint, then whole snapshots from the
 * `overview` channel. Whichever is newer (server clock) wins, so a slow HTTP answer can't overwrite
 * a live frame.
 */
export function useLiveOverview(): LiveOverview {
  const live = useSocketChannel("overview", "overview:snapshot");
  const isLive = live.status.state === "live";
  const query = useQuery({
    queryKey: ["overview"],
    queryFn: ({ signal }) => fetchJson<OverviewResponse>("/api/overview", { signal }),
    // Always fetch on mount: a cached snapshot from an earlier visit is minutes old.
    staleTime: 0,
    refetchInterval: isLive ? false : FALLBACK_POLL_MS,
    refetchOnWindowFocus: false,
    retry: retryTransient,
  });

  const fromHttp = query.data;
  const fromSocket = live.latest;
  const snapshot =
    fromHttp && fromSocket ? (fromSocket.at >= fromHttp.at ? fromSocket : fromHttp) : (fromSocket ?? fromHttp);
  const updatedAt = Math.max(live.receivedAt ?? 0, fromHttp ? query.dataUpdatedAt : 0);

  return {
    snapshot,
    status: live.status,
    staleSince: isLive || live.status.connecting || updatedAt === 0 ? null : updatedAt,
    isLoading: !snapshot && query.isPending,
    error: snapshot ? null : query.error,
    retry: () => void query.refetch(),
  };
}
