import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import { can } from "@/lib/auth/roles";
import { authenticate } from "@/server/auth/authenticate";
import { getServices } from "@/server/services";
import { parseWallConfig } from "./_components/wall-config";
import { WallMessage } from "./_components/wall-message";
import { WallScreen, type WallInitial } from "./_components/wall-screen";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Wall",
  // The token is in the address: keep it out of search engines and of other sites' Referer logs.
  robots: { index: false, follow: false },
  referrer: "no-referrer",
};

export const viewport: Viewport = { colorScheme: "dark", themeColor: "#06080c" };

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * Is this token (or, without one, the signed-in session) allowed to watch? Checked here so a wrong
 * address shows its full-screen message at once; null when the check itself failed (database
 * down): the screen then starts anyway and the socket's answer decides.
 */
async function mayWatch(credentials: { token?: string; cookie?: string }): Promise<boolean | null> {
  try {
    const caller = await authenticate(getServices().db, credentials);
    return caller !== null && can(caller.principal, "live");
  } catch {
    return null;
  }
}

/**
 * The live channels' current snapshots, rendered with the page so its first frame needs no round
 * trip (the socket's own answer follows within a second). In memory, so they cost no query; the
 * slower channels arrive over the socket.
 */
function initialSnapshots(): WallInitial {
  try {
    const live = getServices().live;
    return live ? { overview: live.snapshot(), genres: live.genres() } : {};
  } catch {
    return {};
  }
}

/**
 * `/wall?token=…[&panels=…][&rotate=30]`: the full-screen live view for TVs. Outside the dashboard
 * layout (no navigation) and outside the sign-in redirect (proxy.ts): the wall token is its key.
 * All its data comes over socket.io with that token; it has no other permission.
 */
export default async function WallPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const raw = Array.isArray(params.token) ? params.token[0] : params.token;
  const token = raw?.trim() || null;
  const config = parseWallConfig(params);

  if (token) {
    if ((await mayWatch({ token })) === false) return <WallMessage kind="refused" />;
    return <WallScreen token={token} config={config} initial={initialSnapshots()} />;
  }
  // A signed-in person may preview the wall with their session.
  const cookie = (await cookies()).toString();
  if (cookie && (await mayWatch({ cookie })) !== false) return <WallScreen token={null} config={config} initial={initialSnapshots()} />;
  return <WallMessage kind="missing" />;
}
