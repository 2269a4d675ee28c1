import { DEVICES, type Title, type ViewEventInput } from "../events/view-event";
import { Rng, WeightedSampler, zipfWeights } from "./rng";

export type Device = (typeof DEVICES)[number];

/** Fixed per user; what experiment targeting can look at. */
export interface UserAttributes {
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly device: Device;
  /** UTC calendar day of the user's signup (and first session), `YYYY-MM-DD`. */
  readonly signupDay: string;
}

/** What the experiments hook sees: a user opening the app, i.e. the moment of exposure. */
export interface SessionStart {
  readonly userId: string;
  /** Session start, epoch ms. */
  readonly atMs: number;
  readonly attributes: UserAttributes;
}

/** Behaviour changes an experiment plants for one session; every field defaults to 1 (no effect). */
export interface SessionEffect {
  /** Scales the number of watches in this session. */
  readonly watchesMultiplier?: number;
  /** Scales every watch duration in this session. */
  readonly durationMultiplier?: number;
  /** Scales the rate of coming back: the gap to the next session is divided by it. */
  readonly returnRateMultiplier?: number;
  /** Scales the churn hazard until the next session; below 1 retains better. */
  readonly churnMultiplier?: number;
}

/**
 * Called once at the start of every session, in event-time order. It must be a pure function of
 * its input (e.g. a deterministic assignment), or the simulation stops being reproducible.
 */
export type ExperimentsHook = (session: SessionStart) => SessionEffect | undefined;

export interface SimulatorOptions {
  seed: number;
  catalog: readonly Title[];
  /** Epoch ms when the world begins: the first signups. */
  startMs: number;
  /** Number of users; all of them sign up within `signupDays` of `startMs`. */
  users?: number;
  /** Days over which signups are spread (front-loaded), so there is a cohort every day. */
  signupDays?: number;
  /**
   * Scales traffic for a busier live screen; 1 is the realistic default. Above 1 every account
   * gains household profiles that watch independently (k gives ~k× the events, linearly), while
   * churn stays the account holder's, so retention in time does not change.
   */
  rateMultiplier?: number;
  /** Exponent of the Zipf title popularity. */
  zipfExponent?: number;
  experimentsHook?: ExperimentsHook;
}

export interface Simulator {
  /** Every user id, `u_000001`…, in index order. */
  readonly userIds: readonly string[];
  /** Everything before this instant has been generated (and either returned or skipped). */
  readonly cursorMs: number;
  /**
   * The events with event_time in [fromMs, toMs), sorted by event_time. Watch events are stamped
   * when playback ends: the viewer was busy over [event_time − watch_duration, event_time]. The world
   * only moves forward: a `fromMs` before the cursor is clamped to it (nothing is emitted twice) and
   * a `fromMs` after it skips the events in between (they still happen and use up their ids).
   * Splitting an interval into adjacent pieces yields exactly the same events.
   */
  eventsBetween(fromMs: number, toMs: number): ViewEventInput[];
  userAttributes(userId: string): UserAttributes | undefined;
  /**
   * Changes `rateMultiplier` from the cursor on; pending returns are rescaled so the change shows
   * within minutes. Deterministic only if called at the same cursor in every run.
   */
  setRateMultiplier(multiplier: number): void;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A new session needs more than this much inactivity (the stream processor's session gap). */
const SESSION_GAP = 30 * MINUTE;
const MAX_WATCH_S = 4 * 3600;

/** Where users live: [ISO alpha-2, weight, UTC offset in hours (no DST)]. Europe-heavy service. */
const COUNTRIES: readonly (readonly [string, number, number])[] = [
  ["GB", 14, 0], ["DE", 12, 1], ["FR", 10, 1], ["ES", 7, 1], ["IT", 7, 1], ["NL", 4, 1], ["PL", 4, 1],
  ["SE", 2.5, 1], ["BE", 2, 1], ["AT", 1.5, 1], ["CH", 1.5, 1], ["DK", 1.2, 1], ["NO", 1.2, 1],
  ["CZ", 1, 1], ["HU", 1, 1], ["IE", 1.5, 0], ["PT", 1.5, 0], ["FI", 1, 2], ["GR", 1, 2], ["RO", 1.5, 2],
  ["TR", 2, 3], ["ZA", 1, 2], ["NG", 1, 1], ["EG", 1, 2], ["US", 6, -6], ["CA", 1, -5], ["MX", 1, -6],
  ["BR", 2, -3], ["AR", 0.5, -3], ["CO", 0.5, -5], ["IN", 1.5, 5.5], ["JP", 0.5, 9], ["KR", 0.4, 9],
  ["AU", 0.8, 10], ["NZ", 0.2, 12],
];

const DEVICE_WEIGHTS: Readonly<Record<Device, number>> = { tv: 38, mobile: 30, web: 14, tablet: 10, console: 8 };

/**
 * Session starts by local hour: trough at 04:00, peak 20:00–22:00. Sessions last an hour or two
 * and smear it, so events end up ~3.5x busier in the evening than in the early morning.
 */
const HOURLY_RHYTHM = [
  0.8, 0.55, 0.4, 0.3, 0.27, 0.3, 0.4, 0.52, 0.6, 0.66, 0.7, 0.76,
  0.86, 0.86, 0.8, 0.86, 0.98, 1.14, 1.36, 1.62, 1.85, 1.85, 1.62, 1.2,
];
const RHYTHM_MAX = Math.max(...HOURLY_RHYTHM);
const RHYTHM_MEAN = HOURLY_RHYTHM.reduce((a, b) => a + b, 0) / 24;

/**
 * Behavioural segments. Churn is a constant hazard per segment, so the mixture gives retention
 * that drops fast and then flattens on the loyal tail.
 */
const SEGMENTS = [
  { share: 0.42, churnPerDay: 6, sessionsPerDay: 1.5 }, // trying it out
  { share: 0.3, churnPerDay: 0.45, sessionsPerDay: 1.1 }, // casual
  { share: 0.28, churnPerDay: 0.02, sessionsPerDay: 4.4 }, // loyal
] as const;

/** Share of users who sign up in the first LAUNCH_DAYS (an existing audience moving over). */
const LAUNCH_SHARE = 0.4;
const LAUNCH_DAYS = 2;

/** Watches per session, 1–6. */
const WATCHES_PER_SESSION = [0.22, 0.22, 0.19, 0.15, 0.12, 0.1];

/** Share of title picks drawn from the user's favourite genres rather than the whole catalog. */
const TASTE_SHARE = 0.55;
/** Chance the next watch in a session is the same (episodic) title: the next episode. */
const BINGE_SHARE = 0.35;
const SEARCH_AT_SESSION_START = 0.3;
const SEARCH_MID_SESSION = 0.05;

/** Share of titles that are films (the rest are series, watched an episode at a time). */
const FILM_SHARE: Readonly<Record<string, number>> = {
  Action: 0.6, Thriller: 0.5, Horror: 0.6, Romance: 0.5, "Sci-Fi": 0.45, Family: 0.5, Animation: 0.4,
  Crime: 0.35, Drama: 0.35, Comedy: 0.3, Documentary: 0.4, Reality: 0,
};
/** Episode length in minutes by genre, [min, max]. */
const EPISODE_MINUTES: Readonly<Record<string, readonly [number, number]>> = {
  Comedy: [21, 32], Animation: [20, 28], Family: [22, 30], Reality: [38, 48], Documentary: [44, 56],
};

// Pending-event states of a viewer; each is the event the viewer emits at `next[v]`.
const ST_SESSION = 0; // no event: a session starts (the first one at signup) at next[v]
const ST_WATCH = 1;
const ST_LIKE = 2;
const ST_DISLIKE = 3;
const ST_SEARCH = 4;
const ST_RATING = 5;

/** "SS.mmmZ" for every millisecond of a minute, so an event time is one concatenation. */
let secondsTable: readonly string[] | undefined;
function minuteSuffixes(): readonly string[] {
  secondsTable ??= Array.from({ length: MINUTE }, (_, i) => {
    const s = Math.floor(i / SECOND);
    return `${String(s).padStart(2, "0")}.${String(i - s * SECOND).padStart(3, "0")}Z`;
  });
  return secondsTable;
}

/**
 * A deterministic world of users watching a catalog. Each user has an own random stream, so an
 * experiment changing one user's behaviour leaves everyone else's events untouched.
 */
export function createSimulator(options: SimulatorOptions): Simulator {
  const { seed, catalog, startMs, experimentsHook } = options;
  const userCount = options.users ?? 20_000;
  const signupDays = options.signupDays ?? 28;
  const zipfExponent = options.zipfExponent ?? 1.0;
  let rateMultiplier = options.rateMultiplier ?? 1;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  if (!Number.isInteger(userCount) || userCount < 1) throw new RangeError(`users must be a positive integer, got ${userCount}`);
  if (catalog.length === 0) throw new RangeError("catalog is empty");
  if (!Number.isFinite(startMs)) throw new RangeError(`startMs must be finite, got ${startMs}`);
  if (!(signupDays > 0)) throw new RangeError(`signupDays must be > 0, got ${signupDays}`);
  if (!(rateMultiplier > 0)) throw new RangeError(`rateMultiplier must be > 0, got ${rateMultiplier}`);

  const root = Rng.fromSeed(seed);
  const worldRng = root.fork();

  // ---- titles: popularity rank, genre, runtime, search phrases ----
  const titleCount = catalog.length;
  const titleIds = catalog.map((t) => t.title_id);
  const genreNames = [...new Set(catalog.map((t) => t.genre))];
  const titleGenre = Int16Array.from(catalog, (t) => genreNames.indexOf(t.genre));
  const popularityOrder = worldRng.shuffle(Array.from({ length: titleCount }, (_, i) => i));
  const rankWeights = zipfWeights(titleCount, zipfExponent);
  const globalTitles = new WeightedSampler(rankWeights);
  const byGenre = genreNames.map((_, g) => popularityOrder.filter((t) => titleGenre[t] === g));
  const rankOf = new Int32Array(titleCount);
  popularityOrder.forEach((t, rank) => (rankOf[t] = rank));
  const genreTitles = byGenre.map((titles) => new WeightedSampler(titles.map((t) => rankWeights[rankOf[t] as number] as number)));
  const genreShare = byGenre.map((titles) => titles.length);
  const episodic = new Uint8Array(titleCount);
  const runtimeS = new Int32Array(titleCount);
  for (let t = 0; t < titleCount; t++) {
    const genre = genreNames[titleGenre[t] as number] as string;
    if (worldRng.chance(FILM_SHARE[genre] ?? 0.4)) {
      runtimeS[t] = Math.round(Math.min(200, Math.max(75, 105 + 18 * worldRng.normal())) * 60);
    } else {
      const [lo, hi] = EPISODE_MINUTES[genre] ?? [42, 60];
      episodic[t] = 1;
      runtimeS[t] = Math.round(worldRng.between(lo, hi) * 60);
    }
  }
  const lowerNames = catalog.map((t) => t.title_name.toLowerCase());
  const typedPrefixes = lowerNames.map((n) => {
    const words = n.split(" ");
    const first = words[0] === "the" && words.length > 1 ? words.slice(0, 2).join(" ") : (words[0] as string);
    return first.length >= 3 ? first : n.slice(0, Math.min(n.length, 6));
  });
  const genrePhrases = genreNames.map((g) => {
    const lower = g.toLowerCase();
    return [lower, `best ${lower}`, `new ${lower}`];
  });

  // ---- users: fixed attributes, segment, taste, signup ----
  const countrySampler = new WeightedSampler(COUNTRIES.map((c) => c[1]));
  const deviceSampler = new WeightedSampler(DEVICES.map((d) => DEVICE_WEIGHTS[d]));
  const segmentSampler = new WeightedSampler(SEGMENTS.map((s) => s.share));
  const genreSampler = new WeightedSampler(genreShare);
  const watchesSampler = new WeightedSampler(WATCHES_PER_SESSION);

  const userIds: string[] = new Array(userCount);
  const attributes: UserAttributes[] = new Array(userCount);
  const userRngs: Rng[] = new Array(userCount);
  const country: string[] = new Array(userCount);
  const device: string[] = new Array(userCount);
  const offsetMs = new Float64Array(userCount);
  const sessionRate = new Float64Array(userCount); // sessions per ms, before the rhythm
  const churnRate = new Float64Array(userCount); // hazard per ms
  const fav1 = new Int16Array(userCount);
  const fav2 = new Int16Array(userCount);
  const signupMs = new Float64Array(userCount);

  const launchSpan = Math.min(1, LAUNCH_DAYS / signupDays);
  const idWidth = Math.max(6, String(userCount).length);
  for (let u = 0; u < userCount; u++) {
    const rng = root.fork();
    userRngs[u] = rng;
    const id = `u_${String(u + 1).padStart(idWidth, "0")}`;
    userIds[u] = id;
    const [countryCode, , offsetHours] = COUNTRIES[countrySampler.sample(rng)] as readonly [string, number, number];
    country[u] = countryCode;
    offsetMs[u] = offsetHours * HOUR;
    const dev = DEVICES[deviceSampler.sample(rng)] as Device;
    device[u] = dev;
    const segment = SEGMENTS[segmentSampler.sample(rng)] as (typeof SEGMENTS)[number];
    // Mean-one lognormal spread of engagement within a segment.
    sessionRate[u] = (segment.sessionsPerDay * rng.lognormal(-0.08, 0.4)) / DAY;
    churnRate[u] = segment.churnPerDay / DAY;
    fav1[u] = genreSampler.sample(rng);
    fav2[u] = rng.chance(0.6) ? genreSampler.sample(rng) : -1;
    // A launch wave, then a declining trickle (density 1.5 → 0.5), thinned to waking hours.
    let t: number;
    do {
      const x = rng.float() < LAUNCH_SHARE ? rng.float() * launchSpan : 1.5 - Math.sqrt(2.25 - 2 * rng.float());
      t = Math.floor(startMs + x * signupDays * DAY);
    } while (rng.float() * RHYTHM_MAX >= rhythmAt(t, offsetMs[u] as number));
    signupMs[u] = t;
    attributes[u] = Object.freeze({ country: countryCode, device: dev, signupDay: new Date(t).toISOString().slice(0, 10) });
  }

  // ---- viewers: lane 0 of a user is the account holder; lanes 1.. are extra household profiles
  // that only exist when rateMultiplier > 1. Viewer v belongs to user v % userCount. ----
  let lanes = 0;
  let next = new Float64Array(0); // time of the viewer's pending event (or session start)
  let state = new Uint8Array(0);
  let pendingTitle = new Int32Array(0);
  let pendingValue = new Int32Array(0); // watch seconds, rating stars, or query kind
  let watchesLeft = new Int16Array(0);
  let lastCompleted = new Uint8Array(0);
  let lastActivityMs = new Float64Array(0);
  let durationMult = new Float32Array(0);
  let returnMult = new Float32Array(0);
  let churnMult = new Float32Array(0);
  let inHeap = new Uint8Array(0);
  let heap = new Int32Array(0);
  let heapSize = 0;
  const rngs: Rng[] = [];
  const churned = new Uint8Array(userCount);
  const laneRoot = root.fork();

  let cursor = startMs;
  let counter = 0;
  const idPrefix = `e_${seed}_`;
  let cachedMinute = Number.NaN;
  let cachedPrefix = "";
  const suffixes = minuteSuffixes();

  /** Share of a full viewer's session rate that lane `lane` runs at under the current multiplier. */
  function laneWeight(lane: number): number {
    return lane === 0 ? Math.min(rateMultiplier, 1) : Math.min(1, Math.max(0, rateMultiplier - lane));
  }

  function growLanes(count: number): void {
    const size = count * userCount;
    const grow = <T extends Float64Array | Float32Array | Int32Array | Int16Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const fresh = make(size);
      fresh.set(old);
      return fresh;
    };
    next = grow(next, (n) => new Float64Array(n));
    state = grow(state, (n) => new Uint8Array(n));
    pendingTitle = grow(pendingTitle, (n) => new Int32Array(n));
    pendingValue = grow(pendingValue, (n) => new Int32Array(n));
    watchesLeft = grow(watchesLeft, (n) => new Int16Array(n));
    lastCompleted = grow(lastCompleted, (n) => new Uint8Array(n));
    lastActivityMs = grow(lastActivityMs, (n) => new Float64Array(n));
    durationMult = grow(durationMult, (n) => new Float32Array(n));
    returnMult = grow(returnMult, (n) => new Float32Array(n));
    churnMult = grow(churnMult, (n) => new Float32Array(n));
    inHeap = grow(inHeap, (n) => new Uint8Array(n));
    const oldHeap = heap;
    heap = new Int32Array(size);
    heap.set(oldHeap.subarray(0, heapSize));
    for (let v = lanes * userCount; v < size; v++) {
      rngs[v] = v < userCount ? (userRngs[v] as Rng) : laneRoot.fork();
      pendingTitle[v] = -1;
      lastActivityMs[v] = Number.NEGATIVE_INFINITY;
      durationMult[v] = 1;
      returnMult[v] = 1;
      churnMult[v] = 1;
    }
    lanes = count;
  }

  /** Puts an idle viewer back in the world: the holder at signup, a profile at its first return. */
  function activate(v: number): void {
    const u = v % userCount;
    state[v] = ST_SESSION;
    if (v < userCount) next[v] = signupMs[v] as number;
    else next[v] = nextSessionStart(v, Math.max(cursor, signupMs[u] as number), 0, laneWeight((v / userCount) | 0));
    inHeap[v] = 1;
    heap[heapSize++] = v;
  }

  function heapify(): void {
    for (let i = (heapSize >> 1) - 1; i >= 0; i--) siftDown(i);
  }

  growLanes(Math.max(1, Math.ceil(rateMultiplier)));
  for (let v = 0; v < lanes * userCount; v++) if (laneWeight((v / userCount) | 0) > 0) activate(v);
  heapify();

  function before(a: number, b: number): boolean {
    const ta = next[a] as number;
    const tb = next[b] as number;
    return ta < tb || (ta === tb && a < b);
  }

  function siftDown(start: number): void {
    let i = start;
    const item = heap[i] as number;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heapSize) break;
      const right = left + 1;
      let child = left;
      if (right < heapSize && before(heap[right] as number, heap[left] as number)) child = right;
      const c = heap[child] as number;
      if (!before(c, item)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = item;
  }

  function removeTop(): void {
    inHeap[heap[0] as number] = 0;
    heapSize--;
    if (heapSize > 0) {
      heap[0] = heap[heapSize] as number;
      siftDown(0);
    }
  }

  function isoTime(t: number): string {
    const minute = Math.floor(t / MINUTE);
    if (minute !== cachedMinute) {
      cachedMinute = minute;
      cachedPrefix = new Date(minute * MINUTE).toISOString().slice(0, 17);
    }
    return cachedPrefix + (suffixes[t - minute * MINUTE] as string);
  }

  function pickTitle(u: number, rng: Rng): number {
    const g1 = fav1[u] as number;
    if (rng.float() < TASTE_SHARE) {
      const g2 = fav2[u] as number;
      const g = g2 >= 0 && rng.float() < 0.35 ? g2 : g1;
      return (byGenre[g] as number[])[(genreTitles[g] as WeightedSampler).sample(rng)] as number;
    }
    return popularityOrder[globalTitles.sample(rng)] as number;
  }

  /** Plans a watch of `title` that starts `leadMs` after `t`; its event is stamped at the end. */
  function planWatch(v: number, rng: Rng, t: number, title: number, leadMs: number): void {
    const u = v % userCount;
    const g = titleGenre[title] as number;
    const liked = g === fav1[u] || g === fav2[u];
    const completed = rng.float() < (liked ? 0.45 : 0.32);
    const fraction = completed ? 0.9 + 0.1 * rng.float() : 0.02 + 0.88 * Math.pow(rng.float(), 2);
    let seconds = Math.round((runtimeS[title] as number) * fraction * (durationMult[v] as number));
    if (seconds < 10) seconds = 10;
    if (seconds > MAX_WATCH_S) seconds = MAX_WATCH_S;
    lastCompleted[v] = completed ? 1 : 0;
    state[v] = ST_WATCH;
    pendingTitle[v] = title;
    pendingValue[v] = seconds;
    next[v] = Math.round(t + leadMs) + seconds * SECOND;
  }

  /** Minutes of browsing between two watches; always well under the session gap. */
  function browseMs(rng: Rng): number {
    return Math.min(25 * MINUTE, Math.max(15 * SECOND, rng.lognormal(Math.log(2 * MINUTE), 0.8)));
  }

  function planSearch(v: number, rng: Rng, t: number, title: number): void {
    state[v] = ST_SEARCH;
    pendingTitle[v] = title;
    pendingValue[v] = rng.int(8);
    next[v] = Math.round(t + rng.between(5 * SECOND, 45 * SECOND));
  }

  function startSession(v: number, t: number): void {
    const u = v % userCount;
    const rng = rngs[v] as Rng;
    let watchesScale = 1;
    durationMult[v] = 1;
    returnMult[v] = 1;
    churnMult[v] = 1;
    if (experimentsHook) {
      const effect = experimentsHook({ userId: userIds[u] as string, atMs: t, attributes: attributes[u] as UserAttributes });
      if (effect) {
        watchesScale = positive(effect.watchesMultiplier);
        durationMult[v] = positive(effect.durationMultiplier);
        returnMult[v] = positive(effect.returnRateMultiplier);
        churnMult[v] = positive(effect.churnMultiplier);
      }
    }
    let watches = watchesSampler.sample(rng) + 1;
    if (watchesScale !== 1) {
      const scaled = watches * watchesScale;
      watches = Math.min(30, Math.max(1, Math.floor(scaled) + (rng.float() < scaled - Math.floor(scaled) ? 1 : 0)));
    }
    watchesLeft[v] = watches;
    pendingTitle[v] = -1;
    const title = pickTitle(u, rng);
    if (rng.float() < SEARCH_AT_SESSION_START) planSearch(v, rng, t, title);
    else planWatch(v, rng, t, title, rng.between(10 * SECOND, 2 * MINUTE));
  }

  /** After a watch and its feedback: the next watch, or the end of the session. */
  function continueSession(v: number, t: number): boolean {
    const rng = rngs[v] as Rng;
    if ((watchesLeft[v] as number) <= 0) return endSession(v, t);
    const last = pendingTitle[v] as number;
    const title = last >= 0 && episodic[last] === 1 && rng.float() < BINGE_SHARE ? last : pickTitle(v % userCount, rng);
    if (title !== last && rng.float() < SEARCH_MID_SESSION) planSearch(v, rng, t + browseMs(rng), title);
    else planWatch(v, rng, t, title, browseMs(rng));
    return true;
  }

  /** Non-homogeneous Poisson arrival after `fromMs`, by thinning against the daily rhythm. */
  function nextSessionStart(v: number, fromMs: number, minGapMs: number, weight: number): number {
    const rng = rngs[v] as Rng;
    const rate = (sessionRate[v % userCount] as number) * weight * (returnMult[v] as number);
    const candidateMean = RHYTHM_MEAN / (rate * RHYTHM_MAX);
    const offset = offsetMs[v % userCount] as number;
    let s = fromMs + minGapMs;
    do s += rng.exponential(candidateMean);
    while (rng.float() * RHYTHM_MAX >= rhythmAt(s, offset));
    return Math.round(s);
  }

  /**
   * Schedules the viewer's next session. Churn is decided by the account holder (a constant
   * hazard over the wait), and takes the household's profiles with it. False if the viewer leaves.
   */
  function endSession(v: number, t: number): boolean {
    const u = v % userCount;
    const weight = laneWeight((v / userCount) | 0);
    if (churned[u] === 1 || weight === 0) return false;
    const start = nextSessionStart(v, t, SESSION_GAP + SECOND, weight);
    if (v === u) {
      const survival = Math.exp(-(churnRate[u] as number) * (churnMult[v] as number) * (start - t));
      if ((rngs[v] as Rng).float() >= survival) {
        churned[u] = 1;
        return false;
      }
    }
    state[v] = ST_SESSION;
    next[v] = start;
    return true;
  }

  /** Emits the pending event of the viewer at the top of the heap and plans their next one. */
  function step(v: number, t: number, out: ViewEventInput[] | null): void {
    const st = state[v] as number;
    if (st === ST_SESSION) {
      if (churned[v % userCount] === 1) removeTop();
      else {
        startSession(v, t);
        siftDown(0);
      }
      return;
    }
    const rng = rngs[v] as Rng;
    const title = pendingTitle[v] as number;
    const value = pendingValue[v] as number;
    const eventId = counter++;
    lastActivityMs[v] = t;
    if (out !== null) out.push(makeEvent(v % userCount, t, st, title, value, eventId));
    let alive = true;
    if (st === ST_WATCH) {
      watchesLeft[v] = (watchesLeft[v] as number) - 1;
      const completed = lastCompleted[v] === 1;
      const r = rng.float();
      const pLike = completed ? 0.13 : 0.04;
      const pDislike = completed ? 0.01 : 0.06;
      const pRating = completed ? 0.09 : 0.05;
      const lead = Math.round(rng.between(3 * SECOND, 60 * SECOND));
      if (r < pLike) {
        state[v] = ST_LIKE;
        next[v] = t + lead;
      } else if (r < pLike + pDislike) {
        state[v] = ST_DISLIKE;
        next[v] = t + lead;
      } else if (r < pLike + pDislike + pRating) {
        state[v] = ST_RATING;
        pendingValue[v] = completed ? (rng.float() < 0.6 ? 5 : rng.float() < 0.75 ? 4 : 3) : 1 + rng.int(3);
        next[v] = t + lead;
      } else {
        alive = continueSession(v, t);
      }
    } else if (st === ST_SEARCH) {
      planWatch(v, rng, t, title, rng.between(5 * SECOND, 40 * SECOND));
    } else {
      alive = continueSession(v, t);
    }
    if (alive) siftDown(0);
    else removeTop();
  }

  function makeEvent(u: number, t: number, st: number, title: number, value: number, eventId: number): ViewEventInput {
    const event_id = idPrefix + eventId.toString(36);
    const user_id = userIds[u] as string;
    const title_id = titleIds[title] as string;
    const event_time = isoTime(t);
    const dev = device[u];
    const ctry = country[u];
    switch (st) {
      case ST_WATCH:
        return { event_id, user_id, title_id, event_type: "watch", event_time, watch_duration: value, device: dev, country: ctry };
      case ST_LIKE:
        return { event_id, user_id, title_id, event_type: "like", event_time, watch_duration: 0, device: dev, country: ctry };
      case ST_DISLIKE:
        return { event_id, user_id, title_id, event_type: "dislike", event_time, watch_duration: 0, device: dev, country: ctry };
      case ST_RATING:
        return { event_id, user_id, title_id, event_type: "rating", event_time, watch_duration: 0, device: dev, country: ctry, rating: value };
      default:
        return { event_id, user_id, title_id, event_type: "search", event_time, watch_duration: 0, device: dev, country: ctry, query: searchQuery(title, value) };
    }
  }

  function searchQuery(title: number, kind: number): string {
    // Half type the start of a name, a quarter the whole name, a quarter browse by genre.
    if (kind < 4) return typedPrefixes[title] as string;
    if (kind < 6) return lowerNames[title] as string;
    return (genrePhrases[titleGenre[title] as number] as string[])[(title + kind) % 3] as string;
  }

  function eventsBetween(fromMs: number, toMs: number): ViewEventInput[] {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs > toMs) {
      throw new RangeError(`not an interval: [${fromMs}, ${toMs})`);
    }
    const out: ViewEventInput[] = [];
    if (toMs <= cursor) return out;
    const emitFrom = Math.max(fromMs, cursor);
    while (heapSize > 0) {
      const v = heap[0] as number;
      const t = next[v] as number;
      if (t >= toMs) break;
      step(v, t, t >= emitFrom ? out : null);
    }
    cursor = toMs;
    return out;
  }

  function setRateMultiplier(multiplier: number): void {
    if (!(multiplier > 0) || !Number.isFinite(multiplier)) throw new RangeError(`rateMultiplier must be > 0, got ${multiplier}`);
    const oldWeights = Array.from({ length: lanes }, (_, lane) => laneWeight(lane));
    rateMultiplier = multiplier;
    const wanted = Math.ceil(multiplier);
    if (wanted > lanes) growLanes(wanted);
    // Arrivals are memoryless, so rescaling each pending wait is a correct change of rate.
    let kept = 0;
    for (let i = 0; i < heapSize; i++) {
      const v = heap[i] as number;
      const lane = (v / userCount) | 0;
      const weight = laneWeight(lane);
      const waiting = state[v] === ST_SESSION && (lane > 0 || lastActivityMs[v] !== Number.NEGATIVE_INFINITY);
      if (waiting && weight === 0) {
        inHeap[v] = 0;
        continue;
      }
      if (waiting && (oldWeights[lane] ?? 0) !== weight) {
        const ratio = (oldWeights[lane] as number) / weight;
        const base = Math.max(cursor, signupMs[v % userCount] as number);
        const earliest = Math.max(base, (lastActivityMs[v] as number) + SESSION_GAP + SECOND);
        next[v] = Math.max(earliest, Math.round(base + ((next[v] as number) - base) * ratio));
      }
      heap[kept++] = v;
    }
    heapSize = kept;
    for (let v = userCount; v < lanes * userCount; v++) {
      if (inHeap[v] === 0 && churned[v % userCount] === 0 && laneWeight((v / userCount) | 0) > 0) activate(v);
    }
    heapify();
  }

  function userAttributes(userId: string): UserAttributes | undefined {
    const index = Number.parseInt(userId.slice(2), 10) - 1;
    return userIds[index] === userId ? attributes[index] : undefined;
  }

  return {
    userIds,
    get cursorMs() {
      return cursor;
    },
    eventsBetween,
    userAttributes,
    setRateMultiplier,
  };
}

function positive(x: number | undefined): number {
  return x !== undefined && x > 0 && Number.isFinite(x) ? x : 1;
}

function rhythmAt(t: number, offsetMs: number): number {
  const local = (((t + offsetMs) % DAY) + DAY) % DAY;
  return HOURLY_RHYTHM[Math.floor(local / HOUR)] as number;
}
