import { postAssignments } from "@/server/experiments/assignments-route";

export const dynamic = "force-dynamic";

/** See server/experiments/assignments-route.ts (also served on the Node server's fast path). */
export const POST = postAssignments;
