/**
 * Every live channel × every kind of caller, through the real gateway, the real channel sources and
 * real credentials. The POLICY table below is the specification (who may open a socket, what each
 * channel answers); it is written here, not derived from lib/auth/roles.ts, so a change of the
 * rules in code that nobody meant fails here. The HTTP side has the same table in
 * server/http/authz-matrix.test.ts.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TOPICS } from "../../lib/config/topics";
import { CHANNELS, SOCKET_PATH, snapshotEvent, type Channel, type ClientToServerEvents, type ServerToClientEvents } from "../../lib/live/contract";
import { createAccount } from "../auth/accounts";
import { authenticate } from "../auth/authenticate";
import { hashSecret } from "../auth/secrets";
import { createSession, deleteSession } from "../auth/sessions";
import { createAccessToken, revokeAccessToken } from "../auth/tokens";
import { createMemoryLog } from "../log/memory-log";
import { logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { createChannelSources } from "./channel-sources";
import { createLiveGateway, sameOriginCookie, type LiveGateway } from "./create-live-gateway";
import { LiveState } from "./live-state";

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const UNAUTHORIZED = "unauthorized: sign in, or open the wall with its token";
const FORBIDDEN = "forbidden: this token cannot open live channels";

/** What a subscribe to a channel answers: its snapshot, or a client:error whose message matches. */
type Answer = "snapshot" | { clientError: RegExp };
type Expected = { refused: string } | { answers: Readonly<Record<Channel, Answer>> };

const EVERY_CHANNEL: Readonly<Record<Channel, Answer>> = {
  overview: "snapshot",
  genres: "snapshot",
  retention: "snapshot",
  pipeline: "snapshot",
  experiments: "snapshot",
};

const PRINCIPALS = [
  "anonymous",
  "junk session cookie",
  "unknown token",
  "revoked wall token",
  "wall token",
  "viewer",
  "editor",
  "admin",
  "service token",
  "revoked service token",
  "signed-out session",
  "expired session",
  "disabled account's session",
  "revoked wall token beside a viewer's cookie",
] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

/**
 * The policy: live channels are read-only dashboards, open to every signed-in person and to wall
 * tokens (a wall shows all five). Service tokens are machines' doors for assignments and events.
 * Anything unknown, revoked, ended or disabled is "unauthorized": the screen needs new credentials.
 */
const POLICY: Readonly<Record<PrincipalName, Expected>> = {
  anonymous: { refused: UNAUTHORIZED },
  "junk session cookie": { refused: UNAUTHORIZED },
  "unknown token": { refused: UNAUTHORIZED },
  "revoked wall token": { refused: UNAUTHORIZED },
  "wall token": { answers: EVERY_CHANNEL },
  viewer: { answers: EVERY_CHANNEL },
  editor: { answers: EVERY_CHANNEL },
  admin: { answers: EVERY_CHANNEL },
  "service token": { refused: FORBIDDEN },
  "revoked service token": { refused: UNAUTHORIZED },
  "signed-out session": { refused: UNAUTHORIZED },
  "expired session": { refused: UNAUTHORIZED },
  "disabled account's session": { refused: UNAUTHORIZED },
  // A token in the handshake is the credential: a wrong one is not rescued by the page's session.
  "revoked wall token beside a viewer's cookie": { refused: UNAUTHORIZED },
};

/** Each snapshot's fields, as lib/live/contract.ts documents them. */
const SNAPSHOT_FIELDS: Readonly<Record<Channel, readonly string[]>> = {
  overview: ["at", "eventsPerSec", "activeViewers", "watchMinutesLastMinute", "series", "topTitles", "watermark", "newestEventTime", "lateEvents", "deadLetters"],
  genres: ["at", "totalWatchMinutes", "genres"],
  retention: ["at", "points"],
  pipeline: ["at", "logOk", "totalLag", "maxLag", "partitions", "inPerSec", "outPerSec", "lastCommitAt", "deadLettered", "alert"],
  experiments: ["at", "experiments"],
};

/** How often the gateway under test re-authenticates its sockets (production: every minute). */
const REAUTH_MS = 250;

interface Credentials {
  token?: string;
  cookie?: string;
}

let database: TestDatabase;
let http: HttpServer;
let gateway: LiveGateway;
let url: string;
let suiteStarted: number;
const credentials = {} as Record<PrincipalName, Credentials>;

async function newSession(role: "viewer" | "editor" | "admin"): Promise<{ accountId: number; token: string; cookie: string }> {
  const account = await createAccount(database.db, { email: `${role}-${Math.random().toString(36).slice(2, 10)}@test.local`, role, password: "correct horse battery" });
  const session = await createSession(database.db, account.id);
  return { accountId: account.id, token: session.token, cookie: `sr_session=${session.token}; sr_csrf=${session.csrfToken}` };
}

async function newToken(kind: "wall" | "service"): Promise<{ id: number; token: string }> {
  const t = await createAccessToken(database.db, { kind, name: `${kind} ${Math.random().toString(36).slice(2, 8)}`, createdBy: "test" });
  return { id: t.id, token: t.token };
}

beforeAll(async () => {
  suiteStarted = Date.now();
  database = await createTestDatabase("sr_live_authz");
  const log = createMemoryLog();
  await log.ensureTopics(Object.values(TOPICS).map((topic) => ({ topic, partitions: 2 })));
  const live = new LiveState(Date.now, new Map());
  http = createServer((_req, res) => res.writeHead(404).end());
  gateway = createLiveGateway({
    server: http,
    logger,
    sources: createChannelSources({ live, db: database.db, pool: database.pool, log }),
    authenticate: (c) => authenticate(database.db, c),
    reauthenticateMs: REAUTH_MS,
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  credentials.anonymous = {};
  credentials["junk session cookie"] = { cookie: "sr_session=srp_not-a-session; other=1" };
  credentials["unknown token"] = { token: "srw_not-a-real-token" };
  const revokedWall = await newToken("wall");
  await revokeAccessToken(database.db, revokedWall.id);
  credentials["revoked wall token"] = { token: revokedWall.token };
  credentials["wall token"] = { token: (await newToken("wall")).token };
  for (const role of ["viewer", "editor", "admin"] as const) credentials[role] = { cookie: (await newSession(role)).cookie };
  credentials["service token"] = { token: (await newToken("service")).token };
  const revokedService = await newToken("service");
  await revokeAccessToken(database.db, revokedService.id);
  credentials["revoked service token"] = { token: revokedService.token };
  const signedOut = await newSession("viewer");
  await deleteSession(database.db, signedOut.token);
  credentials["signed-out session"] = { cookie: signedOut.cookie };
  const expired = await newSession("admin");
  await database.db.authSession.update({ where: { tokenHash: hashSecret(expired.token) }, data: { expiresAt: new Date(Date.now() - 1_000) } });
  credentials["expired session"] = { cookie: expired.cookie };
  const disabled = await newSession("editor");
  await database.db.account.update({ where: { id: disabled.accountId }, data: { disabledAt: new Date() } });
  credentials["disabled account's session"] = { cookie: disabled.cookie };
  credentials["revoked wall token beside a viewer's cookie"] = { token: revokedWall.token, cookie: credentials.viewer.cookie };
});

afterAll(async () => {
  await gateway?.close();
  await database?.drop();
});

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

function client(c: Credentials, headers: Record<string, string> = {}): Client {
  const socket: Client = connect(url, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    auth: c.token ? { token: c.token } : {},
    extraHeaders: { ...(c.cookie ? { cookie: c.cookie } : {}), ...headers },
  });
  clients.push(socket);
  return socket;
}

/** "connected", or the connect_error's message. */
function outcome(socket: Client): Promise<"connected" | { refused: string }> {
  return new Promise((resolve) => {
    socket.once("connect", () => resolve("connected"));
    socket.once("connect_error", (err) => resolve({ refused: err.message }));
  });
}

async function connected(c: Credentials): Promise<Client> {
  const socket = client(c);
  expect(await outcome(socket)).toBe("connected");
  return socket;
}

/** Every event the socket receives, in order. */
function recorder(socket: Client): { event: string; payload: unknown }[] {
  const seen: { event: string; payload: unknown }[] = [];
  socket.onAny((event: string, payload: unknown) => seen.push({ event, payload }));
  return seen;
}

/** The first snapshot of `channel` or client:error, whichever comes first. */
function answer(socket: Client, channel: Channel, timeoutMs = 5_000): Promise<{ snapshot: Record<string, unknown> } | { clientError: string }> {
  const untyped = socket as unknown as Socket;
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      untyped.off(snapshotEvent(channel), onSnapshot);
      untyped.off("client:error", onError);
    };
    const onSnapshot = (snapshot: Record<string, unknown>) => (done(), resolve({ snapshot }));
    const onError = (e: { message: string }) => (done(), resolve({ clientError: e.message }));
    const timer = setTimeout(() => (done(), reject(new Error(`no answer to subscribe ${channel} within ${timeoutMs} ms`))), timeoutMs);
    untyped.on(snapshotEvent(channel), onSnapshot);
    untyped.on("client:error", onError);
  });
}

function disconnection(socket: Client): Promise<{ reason: string; at: number }> {
  return new Promise((resolve) => socket.once("disconnect", (reason) => resolve({ reason, at: Date.now() })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("live channels × principals", () => {
  it("the policy covers every channel of the contract and every principal", () => {
    for (const who of PRINCIPALS) {
      const expected = POLICY[who];
      if ("answers" in expected) expect(Object.keys(expected.answers).sort(), who).toEqual([...CHANNELS].sort());
    }
    expect(Object.keys(SNAPSHOT_FIELDS).sort()).toEqual([...CHANNELS].sort());
  });

  for (const who of PRINCIPALS) {
    const expected = POLICY[who];
    if ("refused" in expected) {
      it(`${who}: refused at connect with "${expected.refused}", so no channel`, async () => {
        const socket = client(credentials[who]);
        expect(await outcome(socket)).toEqual({ refused: expected.refused });
        expect(socket.connected).toBe(false);
      });
      continue;
    }
    for (const channel of CHANNELS) {
      const want = expected.answers[channel];
      it(`${who} × ${channel}: ${want === "snapshot" ? "answers with its snapshot" : `client:error ${want.clientError}`}`, async () => {
        const socket = await connected(credentials[who]);
        const seen = recorder(socket);
        const reply = answer(socket, channel);
        socket.emit("subscribe", { channel });
        const got = await reply;
        if (want === "snapshot") {
          if ("clientError" in got) throw new Error(`expected ${channel}'s snapshot, got client:error "${got.clientError}"`);
          expect(Object.keys(got.snapshot).sort()).toEqual([...SNAPSHOT_FIELDS[channel]].sort());
          expect(typeof got.snapshot.at).toBe("number");
          expect(got.snapshot.at).toBeGreaterThanOrEqual(suiteStarted);
          expect(got.snapshot.at).toBeLessThanOrEqual(Date.now());
          // Only the channel asked for: no other room's snapshots leak onto this socket.
          expect(seen.map((s) => s.event).filter((e) => e.endsWith(":snapshot"))).toEqual([snapshotEvent(channel)]);
        } else {
          expect("clientError" in got && got.clientError).toMatch(want.clientError);
        }
      });
    }
  }

  it("a channel that is not in the contract is refused with client:error, the socket stays connected", async () => {
    const socket = await connected(credentials.admin);
    for (const channel of ["admin", "overview ", "OVERVIEW", "__proto__", "constructor"]) {
      const reply = answer(socket, "overview");
      (socket as unknown as Socket).emit("subscribe", { channel });
      expect(await reply).toEqual({ clientError: expect.stringMatching(/^invalid subscribe request/) });
    }
    expect(socket.connected).toBe(true);
  });
});

describe("where the handshake comes from", () => {
  it("a viewer's cookie sent from a page of another origin (a sibling subdomain, another port) is ignored; from this host it works", async () => {
    const host = new URL(url).host;
    for (const origin of ["http://evil.example", `http://${host.split(":")[0]}:1`, "http://sub.127.0.0.1.nip.io", "null"]) {
      expect([origin, await outcome(client(credentials.viewer, { origin }))]).toEqual([origin, { refused: expect.stringMatching(/^unauthorized/) }]);
    }
    expect(await outcome(client(credentials.viewer, { origin: `http://${host}` }))).toBe("connected");
    // A wall token is not ambient (a page must hold it to send it): it works from any origin.
    expect(await outcome(client(credentials["wall token"], { origin: "http://signage.example" }))).toBe("connected");
  });

  it("behind a trusted proxy the page's host is X-Forwarded-Host; without trust that header is ignored", () => {
    const headers = { host: "10.0.0.5:3000", origin: "https://dash.example.com", cookie: "sr_session=x" };
    expect(sameOriginCookie({ ...headers, "x-forwarded-host": "dash.example.com" }, true)).toBe("sr_session=x");
    expect(sameOriginCookie({ ...headers, "x-forwarded-host": "dash.example.com" }, false)).toBeUndefined();
    expect(sameOriginCookie({ ...headers, host: "dash.example.com" }, false)).toBe("sr_session=x");
    expect(sameOriginCookie({ host: "dash.example.com", cookie: "sr_session=x" }, false)).toBe("sr_session=x"); // no Origin: not a browser
  });
});

describe("credentials that end while the socket is open", () => {
  /**
   * The gateway checks every socket again each `reauthenticateMs` (production: 60 s, plus up to the
   * token cache's 5 s in a process that did not do the revoking). Past that the server disconnects
   * the socket ("io server disconnect"), and the reconnect the browser's hook then makes is refused.
   */
  const cases: { name: string; open: () => Promise<{ credentials: Credentials; end: () => Promise<unknown> }> }[] = [
    {
      name: "a wall token revoked",
      open: async () => {
        const t = await newToken("wall");
        return { credentials: { token: t.token }, end: () => revokeAccessToken(database.db, t.id) };
      },
    },
    {
      name: "a viewer signing out (session deleted)",
      open: async () => {
        const s = await newSession("viewer");
        return { credentials: { cookie: s.cookie }, end: () => deleteSession(database.db, s.token) };
      },
    },
    {
      name: "an admin's session expiring",
      open: async () => {
        const s = await newSession("admin");
        return {
          credentials: { cookie: s.cookie },
          end: () => database.db.authSession.update({ where: { tokenHash: hashSecret(s.token) }, data: { expiresAt: new Date(Date.now() - 1) } }),
        };
      },
    },
    {
      name: "an editor's account disabled",
      open: async () => {
        const s = await newSession("editor");
        return { credentials: { cookie: s.cookie }, end: () => database.db.account.update({ where: { id: s.accountId }, data: { disabledAt: new Date() } }) };
      },
    },
  ];

  for (const c of cases) {
    it(`${c.name}: the server disconnects the socket within the re-authentication period, and a reconnect is refused`, async () => {
      const { credentials: creds, end } = await c.open();
      const socket = await connected(creds);
      const first = answer(socket, "overview");
      socket.emit("subscribe", { channel: "overview" });
      expect(await first).toHaveProperty("snapshot");

      // Still served across several re-authentications while the credentials hold.
      await sleep(REAUTH_MS * 3);
      expect(socket.connected).toBe(true);

      const dropped = disconnection(socket);
      const ended = Date.now();
      await end();
      const { reason, at } = await dropped;
      expect(reason).toBe("io server disconnect");
      expect(at - ended).toBeLessThan(REAUTH_MS * 2 + 1_000);

      const seen = recorder(socket);
      socket.connect();
      expect(await outcome(socket)).toEqual({ refused: UNAUTHORIZED });
      await sleep(300);
      expect(seen.filter((s) => s.event.endsWith(":snapshot"))).toEqual([]);
    });
  }
});

describe("events only the server sends", () => {
  it("a client emitting server-only or unknown events changes nothing: no forged snapshot reaches anyone, the server keeps serving", async () => {
    const watcher = await connected(credentials["wall token"]);
    const watched: { at: number; eventsPerSec: number }[] = [];
    watcher.on("overview:snapshot", (s) => watched.push(s));
    const firstTick = answer(watcher, "overview");
    watcher.emit("subscribe", { channel: "overview" });
    await firstTick;

    const forged = { at: 1, eventsPerSec: -1, activeViewers: -1, watchMinutesLastMinute: 0, series: [], topTitles: [], watermark: null, newestEventTime: null, lateEvents: 0, deadLetters: 0 };
    const attacker = await connected(credentials.viewer);
    const raw = attacker as unknown as Socket;
    const errors: string[] = [];
    attacker.on("client:error", (e) => errors.push(e.message));
    for (const channel of CHANNELS) raw.emit(snapshotEvent(channel), forged);
    // `live:latest` is what gateways tell each other through the cluster's adapter.
    raw.emit("live:latest", "overview", forged);
    raw.emit("server:restarting");
    raw.emit("client:error", { message: "forged" });
    for (const name of ["error", "connection", "__proto__", "constructor", "toString", "hasOwnProperty", "x".repeat(1_000), "subscribe:overview"]) raw.emit(name, forged);
    raw.emit("subscribe", { channel: "overview" }, () => undefined); // an ack nobody calls

    await sleep(500);
    expect(attacker.connected).toBe(true);
    expect(errors).toEqual([]);

    // A new subscriber gets the gateway's own snapshot, not the forged one.
    const late = await connected(credentials.editor);
    const fresh = answer(late, "overview");
    late.emit("subscribe", { channel: "overview" });
    const got = await fresh;
    expect("snapshot" in got && got.snapshot.eventsPerSec).not.toBe(-1);
    expect("snapshot" in got && (got.snapshot.at as number)).toBeGreaterThan(1);
    expect(watched.every((s) => s.eventsPerSec !== -1 && s.at > 1)).toBe(true);
  });

  it("unknown event names count against the 40 messages per 10 s: after 40 of them a subscribe is refused", async () => {
    const socket = await connected(credentials.viewer);
    for (let i = 0; i < 40; i++) (socket as unknown as Socket).emit("overview:snapshot", { at: i });
    const reply = answer(socket, "overview");
    socket.emit("subscribe", { channel: "overview" });
    expect(await reply).toEqual({ clientError: "too many subscribe requests: at most 40 per 10 s" });
    expect(socket.connected).toBe(true);
  });

  it("a socket sending more than 160 messages in 10 s is disconnected; the gateway keeps serving the others", async () => {
    const bystander = await connected(credentials["wall token"]);
    const flooder = await connected(credentials["wall token"]);
    const dropped = disconnection(flooder);
    for (let i = 0; i < 250; i++) {
      flooder.emit("subscribe", { channel: "overview" });
      (flooder as unknown as Socket).emit("junk", i);
    }
    expect((await dropped).reason).toBe("io server disconnect");
    expect(bystander.connected).toBe(true);
    const reply = answer(bystander, "overview");
    bystander.emit("subscribe", { channel: "overview" });
    expect(await reply).toHaveProperty("snapshot");
  });

  it("malformed or oversized packets close only the sender's connection", async () => {
    const bystander = await connected(credentials["wall token"]);
    const bystanderDropped = disconnection(bystander);
    let bystanderDroppedAt: number | null = null;
    void bystanderDropped.then(({ at }) => (bystanderDroppedAt = at));

    // Raw socket.io packets under the client library: a reserved event name, broken JSON, a bad type.
    for (const packet of ['2["disconnect"]', '2["connect"]', "2[not json", '9["subscribe"]', '2{"channel":"overview"}']) {
      const sender = await connected(credentials["wall token"]);
      const dropped = disconnection(sender);
      sender.io.engine.send(packet);
      expect((await dropped).reason, packet).toBe("transport close");
    }
    // Past maxHttpBufferSize (16 KB).
    const big = await connected(credentials["wall token"]);
    const bigDropped = disconnection(big);
    big.emit("subscribe", { channel: "overview", padding: "x".repeat(20_000) } as { channel: Channel });
    expect((await bigDropped).reason).toBe("transport close");

    expect(bystanderDroppedAt).toBeNull();
    const reply = answer(bystander, "genres");
    bystander.emit("subscribe", { channel: "genres" });
    expect(await reply).toHaveProperty("snapshot");
  });
});
