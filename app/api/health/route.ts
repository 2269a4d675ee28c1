import { getHealth } from "@/server/queries/get-health";
import { handle, json } from "@/server/http/respond";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

export function GET() {
  return handle(async () => {
    const health = await getHealth(getServices());
    return json(health, { status: health.status === "ok" ? 200 : 503 });
  });
}
