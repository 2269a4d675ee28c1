/**
 * The hash behind assignment, specified so any language can reproduce it bit for bit:
 *
 *   h(key, salt) = MurmurHash3_x86_32(UTF-8 bytes of key, seed = salt), an unsigned 32-bit integer
 *   unit(h)      = h / 2^32, a double in [0, 1) (exact: every uint32 / 2^32 is representable)
 *
 * Keys (`:` joins, no escaping; ids and seeds are opaque strings):
 *   variant draw  = unit(h(`${experimentSeed}:${userId}`, 0))   → the variant bucket
 *   traffic draw  = unit(h(`${experimentSeed}:${userId}`, 1))   → in traffic iff draw < allocation
 *   layer slot    = unit(h(`layer:${layerKey}:${userId}`, 0))   → which experiment of a layer
 *
 * Reference implementations: Python `mmh3.hash(key, salt, signed=False)`, Guava
 * `Hashing.murmur3_32_fixed(salt)`, Go `murmur3.Sum32WithSeed`. MurmurHash3 (as Unleash and flagd
 * bucket) rather than FNV-1a, because its finaliser mixes every input bit into every output bit:
 * GrowthBook's single-round FNV-1a bucketing turned out biased, and its v2 hashes twice instead.
 *
 * The MurmurHash3 itself is the `murmurhash` package (typed, dependency-free, browser and Node),
 * checked against the published vectors in cases.json. We encode UTF-8 here because the package
 * allocates a TextEncoder per string call, which alone would cap assignment near 0.5M/s.
 */
import murmurhash from "murmurhash";

/** MurmurHash3 seeds that make independent draws from the same key. */
export const SALT = { variant: 0, traffic: 1, layer: 0 } as const;

const TWO_POW_32 = 4294967296;
const SCRATCH_BYTES = 1024;
const scratch = new Uint8Array(SCRATCH_BYTES);
/** views[n] is scratch's first n bytes, made once so encoding a short key allocates nothing. */
const views = Array.from({ length: SCRATCH_BYTES + 1 }, (_, n) => scratch.subarray(0, n));
const encoder = new TextEncoder();

/**
 * The UTF-8 bytes of `key` in a shared buffer, valid only until the next call: hash them at once,
 * never keep them. Lone surrogates become U+FFFD, as TextEncoder (and WHATWG) specify.
 */
export function utf8Transient(key: string): Uint8Array {
  const n = key.length;
  if (n <= SCRATCH_BYTES) {
    let i = 0;
    for (; i < n; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[i] = c;
    }
    if (i === n) return views[n]!;
    if (n * 3 <= SCRATCH_BYTES) return views[encoder.encodeInto(key, scratch).written]!;
  }
  return encoder.encode(key);
}

/** MurmurHash3_x86_32 of raw bytes: an unsigned 32-bit integer. */
export function murmur3(bytes: Uint8Array, salt = 0): number {
  return murmurhash.v3(bytes, salt);
}

/** MurmurHash3_x86_32 of a string's UTF-8 bytes: an unsigned 32-bit integer. */
export function hash32(key: string, salt = 0): number {
  return murmurhash.v3(utf8Transient(key), salt);
}

/** Maps a uint32 hash to [0, 1). */
export function toUnit(h: number): number {
  return h / TWO_POW_32;
}

/** `toUnit(hash32(key, salt))`: a uniform draw in [0, 1) fixed by the key. */
export function hashUnit(key: string, salt = 0): number {
  return murmurhash.v3(utf8Transient(key), salt) / TWO_POW_32;
}

/** The key of an experiment's variant and traffic draws. */
export function assignmentKey(seed: string, userId: string): string {
  return `${seed}:${userId}`;
}

/** The key of a user's slot in a layer. */
export function layerKey(layer: string, userId: string): string {
  return `layer:${layer}:${userId}`;
}
