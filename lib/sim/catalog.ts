import type { Title } from "../events/view-event";
import { Rng, WeightedSampler } from "./rng";

/** Genres with their share of the catalog: uneven on purpose, as in a real library. */
export const GENRE_SHARES: readonly (readonly [genre: string, share: number])[] = [
  ["Drama", 0.2],
  ["Comedy", 0.15],
  ["Action", 0.1],
  ["Thriller", 0.09],
  ["Documentary", 0.09],
  ["Crime", 0.07],
  ["Animation", 0.06],
  ["Sci-Fi", 0.06],
  ["Horror", 0.05],
  ["Romance", 0.05],
  ["Family", 0.04],
  ["Reality", 0.04],
];

const CATALOG_SALT = 0x5ca7a106;

export const EARLIEST_RELEASE_YEAR = 1960;
export const LATEST_RELEASE_YEAR = 2026;

const ADJECTIVES = [
  "Silent", "Broken", "Golden", "Last", "Hidden", "Midnight", "Crimson", "Wild", "Lost", "Frozen",
  "Burning", "Quiet", "Electric", "Savage", "Hollow", "Distant", "Bitter", "Velvet", "Iron", "Secret",
  "Endless", "Northern", "Fading", "Restless", "Shattered", "Scarlet", "Little", "Dark", "Bright", "Final",
  "Stolen", "Lonely", "Wicked", "Gentle", "Perfect", "Strange", "Rising", "Falling", "Sleeping", "Paper",
  "Glass", "Crooked", "Salt", "Neon", "Borrowed", "Second", "Sunken", "Painted", "Howling", "Tender",
];

const NOUNS = [
  "Harbor", "Kingdom", "Signal", "Garden", "River", "Empire", "Orbit", "Witness", "Highway", "Summer",
  "Winter", "Island", "Frontier", "Promise", "Shadow", "Mirror", "Horizon", "Letter", "Station", "Circus",
  "Archive", "Compass", "Lantern", "Tide", "Dynasty", "Verdict", "Outpost", "Orchard", "Carnival", "Heist",
  "Legacy", "Pilgrim", "Reckoning", "Sanctuary", "Tower", "Voyage", "Ember", "Echo", "Frequency", "Detour",
  "Alibi", "Crown", "Fortune", "Lighthouse", "Meridian", "Nightshift", "Paradox", "Quarry", "Rebellion", "Season",
  "Vow", "Wolf", "Cartel", "Atlas", "Bloodline", "Canyon", "Debt", "Exile", "Ghost", "Hunter",
];

const PLACES = [
  "Paris", "Lisbon", "Harlow", "Brooklyn", "Mars", "Venice", "the North", "the Valley", "Kettle Creek",
  "Dover", "Marrakesh", "Saturn", "Oak Street", "Havana", "the Moor", "Avalon", "Tokyo", "the Delta",
  "Berlin", "Red Rock", "the Coast", "Elm Hollow", "Cairo", "Port Royal", "the Glen", "Odessa",
];

const NAMES = [
  "Maya", "Theo", "Rosa", "Felix", "Nora", "Jonah", "Iris", "Leo", "Vera", "Otto", "Clara", "Miles",
  "Ada", "Hugo", "June", "Silas", "Pia", "Arlo", "Esme", "Rafael", "Greta", "Wes", "Lena", "Caspar",
];

type Words = { adj: string; noun: string; noun2: string; place: string; name: string; year: number };
type Template = (w: Words) => string;

const COMMON_TEMPLATES: readonly Template[] = [
  (w) => `The ${w.adj} ${w.noun}`,
  (w) => `${w.adj} ${w.noun}`,
  (w) => `${w.noun} of ${w.place}`,
  (w) => `${w.name}'s ${w.noun}`,
  (w) => `The ${w.noun} and the ${w.noun2}`,
  (w) => `${w.adj} in ${w.place}`,
  (w) => `Return to ${w.place}`,
  (w) => `The ${w.noun}s`,
];

/** Genre-flavoured names so a documentary does not read like a thriller. */
const GENRE_TEMPLATES: Readonly<Record<string, readonly Template[]>> = {
  Documentary: [
    (w) => `Inside the ${w.noun}`,
    (w) => `Secrets of ${w.place}`,
    (w) => `${w.place}: A Portrait`,
    (w) => `The ${w.noun} Files`,
  ],
  Reality: [
    (w) => `Love on ${w.place}`,
    (w) => `The Big ${w.noun} Challenge`,
    (w) => `${w.place} Makeover`,
    (w) => `${w.adj} Island`,
  ],
  Comedy: [(w) => `${w.name} Gets a ${w.noun}`, (w) => `My ${w.adj} ${w.noun}`],
  Family: [(w) => `${w.name} and the ${w.adj} ${w.noun}`, (w) => `The ${w.noun} Club`],
  Animation: [(w) => `${w.name} and the ${w.adj} ${w.noun}`, (w) => `Tales from ${w.place}`],
  Horror: [(w) => `The ${w.noun} Beneath`, (w) => `Don't Open the ${w.noun}`],
  Crime: [(w) => `Murder in ${w.place}`, (w) => `The ${w.place} ${w.noun}`],
  Romance: [(w) => `A ${w.adj} Love`, (w) => `Letters to ${w.name}`],
  "Sci-Fi": [(w) => `${w.noun} ${w.year}`, (w) => `Beyond ${w.place}`],
};

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

/** Skewed recent: most titles from the last decade, a long tail back to 1960. */
function releaseYear(rng: Rng): number {
  const span = LATEST_RELEASE_YEAR - EARLIEST_RELEASE_YEAR;
  if (rng.chance(0.15)) return EARLIEST_RELEASE_YEAR + rng.int(span + 1);
  for (;;) {
    const age = Math.floor(rng.exponential(7));
    if (age <= span) return LATEST_RELEASE_YEAR - age;
  }
}

function titleName(rng: Rng, genre: string, taken: ReadonlySet<string>): string {
  const genreTemplates = GENRE_TEMPLATES[genre] ?? [];
  for (let attempt = 0; attempt < 200; attempt++) {
    const templates = genreTemplates.length > 0 && rng.chance(0.4) ? genreTemplates : COMMON_TEMPLATES;
    const words: Words = {
      adj: pick(rng, ADJECTIVES),
      noun: pick(rng, NOUNS),
      noun2: pick(rng, NOUNS),
      place: pick(rng, PLACES),
      name: pick(rng, NAMES),
      year: 2049 + rng.int(150),
    };
    if (words.noun2 === words.noun) continue;
    const name = pick(rng, templates)(words);
    if (!taken.has(name)) return name;
  }
  // Sequels: the word lists give ~10k distinct names, so this only matters for huge catalogs.
  const base = pick(rng, NOUNS);
  for (let n = 2; ; n++) {
    const name = `${base} ${n}`;
    if (!taken.has(name)) return name;
  }
}

/**
 * A made-up catalog: unique plausible names, uneven genre shares, release years 1960–2026 skewed
 * recent, ids `t_0001`…. Deterministic for a seed.
 */
export function generateCatalog(seed: number, count = 600): Title[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const rng = Rng.fromSeed(seed, CATALOG_SALT);
  const genres = new WeightedSampler(GENRE_SHARES.map(([, share]) => share));
  const width = Math.max(4, String(count).length);
  const taken = new Set<string>();
  const titles: Title[] = [];
  for (let i = 0; i < count; i++) {
    const genre = (GENRE_SHARES[genres.sample(rng)] as readonly [string, number])[0];
    const title_name = titleName(rng, genre, taken);
    taken.add(title_name);
    titles.push({
      title_id: `t_${String(i + 1).padStart(width, "0")}`,
      title_name,
      genre,
      release_year: releaseYear(rng),
    });
  }
  return titles;
}
