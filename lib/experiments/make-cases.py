"""Writes cases.json, the language-neutral fixture table of assignment (read by assign.test.ts).

The hashes and assignments in it come from this second, independent implementation of the spec in
hash.ts (Python's `mmh3`, a C port of the reference MurmurHash3), so the TypeScript passing the table
shows another language reproduces it. Chi-square tail probabilities come from scipy.

    pip install mmh3 scipy && python3 lib/experiments/make-cases.py
"""

import json
import pathlib

import mmh3
from scipy.stats import chi2

SALT_VARIANT, SALT_TRAFFIC, SALT_LAYER = 0, 1, 0


def h(key, salt=0):
    return mmh3.hash(key.encode("utf-8"), salt, signed=False)


def unit(x):
    return x / 2**32


def bucket_ranges(weights, coverage=1.0):
    total = 0.0
    for w in weights:
        total += w
    ranges, start = [], 0.0
    for w in weights:
        end = start + coverage * (w / total)
        ranges.append([start, end])
        start = end
    return ranges


def choose(bucket, ranges):
    for i, (s, e) in enumerate(ranges):
        if s <= bucket < e:
            return i
    return -1


def matches(rules, attrs):
    for r in rules:
        a = attrs.get(r["attribute"])
        if a is None:
            return False
        if r["op"] == "equals" and a != r["value"]:
            return False
        if r["op"] == "in" and a not in r["value"]:
            return False
        if r["op"] == "range":
            lo, hi = r["value"].get("min"), r["value"].get("max")
            if (lo is not None and a < lo) or (hi is not None and a > hi):
                return False
    return True


def assign(exp, user, slot=None):
    if exp["status"] != "running":
        return {"excluded": "not-running"}
    if not matches(exp.get("targeting", []), user.get("attributes", {})):
        return {"excluded": "targeting"}
    layer = exp.get("layer")
    if layer is not None:
        if slot is None:
            slot = unit(h(f"layer:{layer['key']}:{user['id']}", SALT_LAYER))
        if not any(s <= slot < e for s, e in layer.get("ranges", [[0, 1]])):
            return {"excluded": "layer"}
    key = f"{exp['seed']}:{user['id']}"
    if not unit(h(key, SALT_TRAFFIC)) < exp["trafficAllocation"]:
        return {"excluded": "traffic"}
    bucket = unit(h(key, SALT_VARIANT))
    i = choose(bucket, bucket_ranges([v["weight"] for v in exp["variants"]]))
    return {"variantKey": exp["variants"][i]["key"], "bucket": bucket}


def assign_all(exps, user):
    out, taken = [], set()
    for exp in exps:
        if exp["status"] != "running":
            continue
        layer = exp.get("layer", {}).get("key")
        if layer in taken:
            continue
        r = assign(exp, user)
        if "excluded" in r:
            continue
        out.append({"experimentKey": exp["key"], "variantKey": r["variantKey"], "bucket": r["bucket"]})
        if layer is not None:
            taken.add(layer)
    return out


def first_user(predicate, prefix="u_"):
    """The first id u_0, u_1, ... for which predicate(id) holds: picks users that show a branch."""
    for i in range(100_000):
        if predicate(f"{prefix}{i}"):
            return f"{prefix}{i}"
    raise RuntimeError("no such user")


# ---- MurmurHash3_x86_32 published vectors (bytes as hex), each cross-checked with mmh3 ----
published = [
    ("", 0, 0x00000000),
    ("", 1, 0x514E28B7),
    ("", 0xFFFFFFFF, 0x81F16F39),
    ("00000000", 0, 0x2362F9DE),
    ("ffffffff", 0, 0x76293B50),
    ("21436587", 0, 0xF55B516B),
    ("21436587", 0x5082EDEE, 0x2362F9DE),
    ("214365", 0, 0x7E4A8634),
    ("2143", 0, 0xA0F7B07A),
    ("21", 0, 0x72661CF4),
    ("61616161", 0x9747B28C, 0x5A97808A),
    ("48656c6c6f2c20776f726c6421", 0x9747B28C, 0x24884CBA),  # "Hello, world!"
    (b"The quick brown fox jumps over the lazy dog".hex(), 0x9747B28C, 0x2FA826CD),
]
for hx, salt, want in published:
    assert mmh3.hash(bytes.fromhex(hx), salt, signed=False) == want, (hx, salt)

hash_keys = [
    ("", 0),
    ("a", 0),
    ("abc", 0),
    ("abcd", 0),
    ("home-row-2026:u_123", 0),
    ("home-row-2026:u_123", 1),
    ("home-row-2026:u_124", 0),
    ("layer:home:u_123", 0),
    ("seed:ü", 0),
    ("seed:日本語ユーザー", 0),
    ("seed:🦄🌈", 1),
    ("x" * 1500, 0),  # longer than the encoder's scratch buffer
    ("é" * 400, 0),  # non-ASCII and too long for the scratch buffer's fast path
]

# ---- experiments used by the assign cases ----
base = {
    "key": "home-row",
    "seed": "home-row-2026",
    "status": "running",
    "trafficAllocation": 1,
    "variants": [{"key": "control", "weight": 1}, {"key": "treatment", "weight": 1}],
    "targeting": [],
}
three_way = {**base, "key": "artwork", "seed": "artwork-v3", "variants": [
    {"key": "a", "weight": 2}, {"key": "b", "weight": 0}, {"key": "c", "weight": 3}, {"key": "d", "weight": 5}]}
partial = {**base, "key": "autoplay", "seed": "autoplay-1", "trafficAllocation": 0.2}
targeted = {**base, "key": "kids-row", "seed": "kids-row-1", "targeting": [
    {"attribute": "country", "op": "in", "value": ["US", "CA"]},
    {"attribute": "plan", "op": "equals", "value": "family"},
    {"attribute": "signupDate", "op": "range", "value": {"min": "2026-01-01", "max": "2026-06-30"}}]}
layer_a = {**base, "key": "ranker-a", "seed": "ranker-a", "layer": {"key": "ranker", "ranges": [[0, 0.5]]}}
layer_b = {**base, "key": "ranker-b", "seed": "ranker-b", "variants": [{"key": "x", "weight": 1}, {"key": "y", "weight": 3}],
           "layer": {"key": "ranker", "ranges": [[0.5, 0.75], [0.9, 1]]}}
layer_c = {**base, "key": "ranker-c", "seed": "ranker-c", "trafficAllocation": 0.5, "layer": {"key": "ranker", "ranges": [[0.75, 0.9]]}}
unlayered = {**base, "key": "search-box", "seed": "search-box"}

attrs_ok = {"country": "US", "plan": "family", "signupDate": "2026-03-15", "device": "tv"}


def slot(uid):
    return unit(h(f"layer:ranker:{uid}", SALT_LAYER))


u_traffic_in = first_user(lambda u: "variantKey" in assign(partial, {"id": u}))
u_traffic_out = first_user(lambda u: assign(partial, {"id": u}) == {"excluded": "traffic"})
u_slot_a = first_user(lambda u: slot(u) < 0.5)
u_slot_b = first_user(lambda u: 0.9 <= slot(u))
u_slot_c_out = first_user(lambda u: 0.75 <= slot(u) < 0.9 and assign(layer_c, {"id": u}) == {"excluded": "traffic"})
u_d = first_user(lambda u: assign(three_way, {"id": u}).get("variantKey") == "d")
u_a = first_user(lambda u: assign(three_way, {"id": u}).get("variantKey") == "a")

assign_inputs = [
    ("two-way split", base, {"id": "u_123"}),
    ("two-way split, another user", base, {"id": "u_124"}),
    ("unicode user id", base, {"id": "ユーザー_7"}),
    ("weights 2:0:3:5, user in d", three_way, {"id": u_d}),
    ("weights 2:0:3:5, user in a", three_way, {"id": u_a}),
    ("draft is not running", {**base, "status": "draft"}, {"id": "u_123"}),
    ("paused is not running", {**base, "status": "paused"}, {"id": "u_123"}),
    ("stopped is not running", {**base, "status": "stopped"}, {"id": "u_123"}),
    ("20% traffic, user inside", partial, {"id": u_traffic_in}),
    ("20% traffic, user outside", partial, {"id": u_traffic_out}),
    ("0% traffic", {**base, "trafficAllocation": 0}, {"id": "u_123"}),
    ("targeting all match", targeted, {"id": "u_1", "attributes": attrs_ok}),
    ("targeting: country not in list", targeted, {"id": "u_1", "attributes": {**attrs_ok, "country": "DE"}}),
    ("targeting: signup after range", targeted, {"id": "u_1", "attributes": {**attrs_ok, "signupDate": "2026-07-01"}}),
    ("targeting: range bound inclusive", targeted, {"id": "u_1", "attributes": {**attrs_ok, "signupDate": "2026-06-30"}}),
    ("targeting: attribute missing", targeted, {"id": "u_1", "attributes": {"country": "US", "signupDate": "2026-03-15"}}),
    ("targeting: no attributes at all", targeted, {"id": "u_1"}),
    ("layer slot in the experiment's range", layer_a, {"id": u_slot_a}),
    ("layer slot in another experiment's range", layer_a, {"id": u_slot_b}),
    ("layer slot in the second of two ranges", layer_b, {"id": u_slot_b}),
]
# Each case shows the branch its name says.
reasons = {name: assign(exp, user).get("excluded") for name, exp, user in assign_inputs}
assert [n for n, r in reasons.items() if r == "not-running"] == [n for n in reasons if "not running" in n]
assert [n for n, r in reasons.items() if r == "traffic"] == ["20% traffic, user outside", "0% traffic"]
assert [n for n, r in reasons.items() if r == "layer"] == ["layer slot in another experiment's range"]
assert [n for n, r in reasons.items() if r == "targeting"] == [n for n in reasons if n.startswith("targeting:") and "inclusive" not in n]

layers = [layer_a, layer_b, layer_c]
assign_all_inputs = [
    ("one per layer plus unlayered, slot in a", [layer_a, layer_b, layer_c, unlayered], {"id": u_slot_a}),
    ("one per layer plus unlayered, slot in b", [layer_a, layer_b, layer_c, unlayered], {"id": u_slot_b}),
    ("slot owner excludes by traffic: no fall-through", layers, {"id": u_slot_c_out}),
    ("not-running experiments are skipped", [{**layer_a, "status": "draft"}, unlayered], {"id": u_slot_a}),
    ("overlapping ranges: first in input order wins", [{**layer_b, "layer": {"key": "ranker"}}, {**layer_a, "layer": {"key": "ranker"}}], {"id": "u_9"}),
]

cases = {
    "spec": [
        "h(key, salt) = MurmurHash3_x86_32(UTF-8(key), seed=salt), unsigned; unit(h) = h / 2^32",
        "variant bucket = unit(h(seed + ':' + userId, 0)); traffic draw = unit(h(seed + ':' + userId, 1)); in traffic iff draw < trafficAllocation",
        "layer slot = unit(h('layer:' + layerKey + ':' + userId, 0)); in layer iff start <= slot < end for one of the experiment's ranges (default [[0, 1]])",
        "ranges: total = sum of weights (in order); variant i owns [s_i, s_i + coverage * (w_i / total)), s_0 = 0, s_(i+1) = end_i, in double arithmetic",
        "assign checks, in order: status == running, every targeting rule, layer slot, traffic draw, then picks the variant",
        "Generated by make-cases.py (Python mmh3); do not edit by hand.",
    ],
    "murmur3Published": [[hx, salt, want] for hx, salt, want in published],
    "hash": [[k, s, h(k, s), unit(h(k, s))] for k, s in hash_keys],
    "getBucketRanges": [
        [name, w, c, bucket_ranges(w, c)]
        for name, w, c in [
            ("50/50", [1, 1], 1),
            ("three equal", [1, 1, 1], 1),
            ("10/90", [0.1, 0.9], 1),
            ("relative weights 2:3:5", [2, 3, 5], 1),
            ("zero weight in the middle", [1, 0, 1], 1),
            ("one variant", [7], 1),
            ("coverage 0.5", [1, 1], 0.5),
            ("coverage 0", [1, 3], 0),
        ]
    ],
    "chooseVariant": [
        ["start of the first range", 0, [[0, 0.5], [0.5, 1]], 0],
        ["end is exclusive", 0.5, [[0, 0.5], [0.5, 1]], 1],
        ["just below 1", 1 - 2**-32, [[0, 0.5], [0.5, 1]], 1],
        ["past the coverage", 0.6, [[0, 0.25], [0.25, 0.5]], -1],
        ["zero-width range never chosen", 0.5, [[0, 0.5], [0.5, 0.5], [0.5, 1]], 2],
    ],
    "inTraffic": [
        [0, 0, False],
        [0, 0.2, True],
        [0.19999, 0.2, True],
        [0.2, 0.2, False],
        [1 - 2**-32, 1, True],
    ],
    "matchesTargeting": [
        ["no rules match everyone", [], {}, True],
        ["equals", [{"attribute": "device", "op": "equals", "value": "tv"}], {"device": "tv"}, True],
        ["equals is case-sensitive", [{"attribute": "device", "op": "equals", "value": "tv"}], {"device": "TV"}, False],
        ["in", [{"attribute": "country", "op": "in", "value": ["US", "CA"]}], {"country": "CA"}, True],
        ["not in", [{"attribute": "country", "op": "in", "value": ["US", "CA"]}], {"country": "MX"}, False],
        ["missing attribute", [{"attribute": "plan", "op": "equals", "value": "basic"}], {"country": "US"}, False],
        ["range, inside", [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-01-01", "max": "2026-01-31"}}], {"signupDate": "2026-01-15"}, True],
        ["range, min inclusive", [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-01-01", "max": "2026-01-31"}}], {"signupDate": "2026-01-01"}, True],
        ["range, max inclusive", [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-01-01", "max": "2026-01-31"}}], {"signupDate": "2026-01-31"}, True],
        ["range, day before", [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-01-01", "max": "2026-01-31"}}], {"signupDate": "2025-12-31"}, False],
        ["range, day after", [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-01-01", "max": "2026-01-31"}}], {"signupDate": "2026-02-01"}, False],
        ["range, open max", [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-01-01"}}], {"signupDate": "2031-05-05"}, True],
        ["range, open min", [{"attribute": "signupDate", "op": "range", "value": {"max": "2026-01-01"}}], {"signupDate": "2026-01-02"}, False],
        ["all rules must match", [{"attribute": "country", "op": "equals", "value": "US"}, {"attribute": "device", "op": "in", "value": ["tv", "console"]}], {"country": "US", "device": "mobile"}, False],
        ["all rules match", [{"attribute": "country", "op": "equals", "value": "US"}, {"attribute": "device", "op": "in", "value": ["tv", "console"]}], {"country": "US", "device": "console"}, True],
    ],
    "invalidExperiments": [
        ["weights sum to 0", {**base, "variants": [{"key": "a", "weight": 0}, {"key": "b", "weight": 0}]}],
        ["negative weight", {**base, "variants": [{"key": "a", "weight": -1}, {"key": "b", "weight": 2}]}],
        ["no variants", {**base, "variants": []}],
        ["duplicate variant keys", {**base, "variants": [{"key": "a", "weight": 1}, {"key": "a", "weight": 1}]}],
        ["allocation above 1", {**base, "trafficAllocation": 1.5}],
        ["unknown status", {**base, "status": "live"}],
        ["unknown attribute", {**base, "targeting": [{"attribute": "age", "op": "equals", "value": "30"}]}],
        ["unknown operator", {**base, "targeting": [{"attribute": "country", "op": "contains", "value": "U"}]}],
        ["range on a non-date attribute", {**base, "targeting": [{"attribute": "country", "op": "range", "value": {"min": "A", "max": "M"}}]}],
        ["range with no bounds", {**base, "targeting": [{"attribute": "signupDate", "op": "range", "value": {}}]}],
        ["range min after max", {**base, "targeting": [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-02-01", "max": "2026-01-01"}}]}],
        ["signupDate not a calendar day", {**base, "targeting": [{"attribute": "signupDate", "op": "range", "value": {"min": "2026-02-30"}}]}],
        ["signupDate equals a timestamp", {**base, "targeting": [{"attribute": "signupDate", "op": "equals", "value": "2026-02-01T00:00:00Z"}]}],
        ["empty in-list", {**base, "targeting": [{"attribute": "country", "op": "in", "value": []}]}],
        ["layer range reversed", {**base, "layer": {"key": "l", "ranges": [[0.5, 0.2]]}}],
        ["layer ranges overlap", {**base, "layer": {"key": "l", "ranges": [[0, 0.5], [0.4, 0.6]]}}],
        ["layer range past 1", {**base, "layer": {"key": "l", "ranges": [[0.5, 1.5]]}}],
        ["empty seed", {**base, "seed": ""}],
    ],
    "assign": [[name, exp, user, assign(exp, user)] for name, exp, user in assign_inputs],
    "assignAll": [[name, exps, user, assign_all(exps, user)] for name, exps, user in assign_all_inputs],
    "chiSquareSf": [[x, df, float(chi2.sf(x, df))] for x, df in [(3.841458820694124, 1), (7.814727903251178, 3), (1.0, 1), (25.0, 3), (13.815510557964274, 2)]],
}

out = pathlib.Path(__file__).with_name("cases.json")
# One case a line, so a diff of the table reads case by case.
sections = [
    f"  {json.dumps(name)}: [\n" + ",\n".join(f"    {json.dumps(case, ensure_ascii=False)}" for case in rows) + "\n  ]"
    for name, rows in cases.items()
]
out.write_text("{\n" + ",\n".join(sections) + "\n}\n", encoding="utf-8")
print(f"wrote {out}")
