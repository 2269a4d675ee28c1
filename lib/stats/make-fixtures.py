#!/usr/bin/python3
"""Writes fixtures.json, the reference table of lib/stats (read by the *.test.ts files next to it).

Every case starts from seeded per-user arrays drawn here. The table stores the sufficient statistics
the TypeScript side computes from, and the answer of a trusted implementation run on the raw arrays:
scipy.stats (ttest_ind, chisquare, norm, t, chi2, binom), statsmodels (CompareMeans,
proportions_ztest, confint_proportions_2indep, multipletests, OLS, NormalIndPower, TTestIndPower).
Where no library has the method (delta-method lifts, the ratio metric, the mSPRT), numpy computes it
on the raw arrays with a formula written differently from the TypeScript one (noted per section).

Debian's python3-scipy and python3-statsmodels (the pyenv python3 on PATH lacks statsmodels):

    /usr/bin/python3 lib/stats/make-fixtures.py
"""

import json
import math
import pathlib

import numpy as np
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW


def f(x):
    return float(x)


def mean_stats(x):
    return {"n": int(x.size), "sum": f(np.sum(x)), "sumSq": f(np.sum(x * x))}


def bivariate_stats(x, y):
    return {
        "n": int(x.size),
        "sumX": f(np.sum(x)),
        "sumY": f(np.sum(y)),
        "sumXX": f(np.sum(x * x)),
        "sumYY": f(np.sum(y * y)),
        "sumXY": f(np.sum(x * y)),
    }


def interval(estimate, se, critical):
    return {"estimate": f(estimate), "se": f(se), "lower": f(estimate - critical * se), "upper": f(estimate + critical * se)}


def relative_lift(mean_t, var_mean_t, mean_c, var_mean_c, critical):
    """Delta method for T/C − 1, written as the squared ratio times the sum of squared CVs."""
    ratio = mean_t / mean_c
    se = abs(ratio) * math.sqrt(var_mean_t / mean_t**2 + var_mean_c / mean_c**2)
    return interval(ratio - 1, se, critical)


def welch(c, t, confidence):
    """scipy.stats.ttest_ind(equal_var=False) for t and p; statsmodels CompareMeans for df and CI."""
    alpha = 1 - confidence
    res = stats.ttest_ind(t, c, equal_var=False)
    cm = CompareMeans(DescrStatsW(t), DescrStatsW(c))
    _, _, df = cm.ttest_ind(usevar="unequal")
    low, upp = cm.tconfint_diff(alpha=alpha, usevar="unequal")
    se = math.sqrt(np.var(t, ddof=1) / t.size + np.var(c, ddof=1) / c.size)
    crit = stats.t.ppf(1 - alpha / 2, df)
    return {
        "statistic": f(res.statistic),
        "df": f(df),
        "pValue": f(res.pvalue),
        "absolute": {"estimate": f(t.mean() - c.mean()), "se": f(se), "lower": f(low), "upper": f(upp)},
        "relative": relative_lift(t.mean(), np.var(t, ddof=1) / t.size, c.mean(), np.var(c, ddof=1) / c.size, crit),
    }


rng = np.random.default_rng(20260615)

# --- Welch t ------------------------------------------------------------------------------------
welch_inputs = [
    ("normal, 500 vs 520 users, +3% lift", 0.95, rng.normal(10, 4, 500), rng.normal(10.3, 5, 520)),
    ("lognormal watch minutes, 2,000 per arm", 0.95, rng.lognormal(3, 1, 2000), rng.lognormal(3.02, 1, 2000)),
    ("small samples 6 vs 9, unequal variances, 90%", 0.90, rng.normal(5, 1, 6), rng.normal(6, 3, 9)),
    ("tiny effect, 20,000 per arm, 99%", 0.99, rng.normal(100, 30, 20000), rng.normal(100.5, 30, 20000)),
    ("treatment worse, 1,500 vs 1,400", 0.95, rng.normal(50, 12, 1500), rng.normal(48, 12, 1400)),
]
# Winsorized in SQL before summing: the tests treat capped values as the data.
raw_c, raw_t = rng.lognormal(2, 1.5, 3000), rng.lognormal(2.05, 1.5, 3000)
cap = np.quantile(np.concatenate([raw_c, raw_t]), 0.99)
welch_inputs.append(("watch minutes capped at the pooled 99th percentile", 0.95, np.minimum(raw_c, cap), np.minimum(raw_t, cap)))

welch_cases = [
    {"name": name, "confidence": conf, "control": mean_stats(c), "treatment": mean_stats(t), "expected": welch(c, t, conf)}
    for name, conf, c, t in welch_inputs
]

# --- Two proportions ------------------------------------------------------------------------------
def proportions(c, t, confidence):
    """statsmodels proportions_ztest (pooled) for z and p, confint_proportions_2indep(method="wald") for the CI."""
    alpha = 1 - confidence
    sc, st, nc, nt = int(c.sum()), int(t.sum()), c.size, t.size
    z, p = proportions_ztest([st, sc], [nt, nc])
    low, upp = confint_proportions_2indep(st, nt, sc, nc, method="wald", compare="diff", alpha=alpha)
    pc, pt = c.mean(), t.mean()
    # Population variance (ddof=0) of 0/1 values is p(1 − p).
    var_mean_c, var_mean_t = np.var(c) / nc, np.var(t) / nt
    crit = stats.norm.ppf(1 - alpha / 2)
    return {
        "statistic": f(z),
        "pValue": f(p),
        "absolute": {"estimate": f(pt - pc), "se": f(math.sqrt(var_mean_c + var_mean_t)), "lower": f(low), "upper": f(upp)},
        "relative": relative_lift(pt, var_mean_t, pc, var_mean_c, crit),
    }


proportion_inputs = [
    ("day-7 retention 40% vs 42%, 3,000 per arm", 0.95, rng.random(3000) < 0.40, rng.random(3000) < 0.42),
    ("rare conversion 2% vs 2.6%, 10,000 vs 9,800", 0.95, rng.random(10000) < 0.02, rng.random(9800) < 0.026),
    ("no true difference, 90%", 0.90, rng.random(5000) < 0.3, rng.random(5000) < 0.3),
    ("small groups 40 vs 45, 99%", 0.99, rng.random(40) < 0.5, rng.random(45) < 0.7),
]
proportion_cases = [
    {
        "name": name,
        "confidence": conf,
        "control": {"n": int(c.size), "successes": int(c.sum())},
        "treatment": {"n": int(t.size), "successes": int(t.sum())},
        "expected": proportions(c.astype(float), t.astype(float), conf),
    }
    for name, conf, c, t in proportion_inputs
]

# --- Sample ratio mismatch ------------------------------------------------------------------------
def srm(counts, weights):
    """scipy.stats.chisquare against expected counts; zero-weight variants with no users drop out."""
    counts, weights = np.asarray(counts, float), np.asarray(weights, float)
    keep = weights > 0
    assert counts[~keep].sum() == 0
    expected = counts.sum() * weights[keep] / weights[keep].sum()
    chi2, p = stats.chisquare(counts[keep], expected)
    return {
        "statistic": f(chi2),
        "df": int(keep.sum() - 1),
        "pValue": f(p),
        "observedShares": [f(x) for x in counts / counts.sum()],
        "expectedShares": [f(x) for x in weights / weights.sum()],
        "mismatch": bool(p < 0.001),
    }


srm_inputs = [
    ("50/50, 10,000 users, balanced", rng.multinomial(10000, [0.5, 0.5]).tolist(), [1, 1]),
    ("50/50 but 50.8% land in control of 100,000", rng.multinomial(100000, [0.508, 0.492]).tolist(), [0.5, 0.5]),
    ("weights 1:1:2, 40,000 users, balanced", rng.multinomial(40000, [0.25, 0.25, 0.5]).tolist(), [1, 1, 2]),
    ("10/90 split served 11/89", rng.multinomial(50000, [0.11, 0.89]).tolist(), [10, 90]),
    ("zero-weight variant with nobody in it", [4980, 0, 5020], [1, 0, 1]),
    ("borderline: 1,000 users, 530 vs 470", [530, 470], [1, 1]),
]
srm_cases = [{"name": name, "counts": counts, "weights": weights, "expected": srm(counts, weights)} for name, counts, weights in srm_inputs]

# --- Multiple comparisons -------------------------------------------------------------------------
correction_inputs = [
    ("five metrics, unsorted", [0.01, 0.04, 0.03, 0.005, 0.2]),
    ("ties", [0.02, 0.02, 0.02, 0.5]),
    ("nothing significant, with a 1", [0.3, 1.0, 0.6, 0.049]),
    ("one p-value", [0.03]),
    ("a zero and tiny values", [0.0, 1e-12, 0.04, 0.9, 0.011]),
    ("twelve draws from a mixture", [f(x) for x in np.concatenate([rng.uniform(0, 0.01, 4), rng.uniform(0, 1, 8)])]),
]
correction_cases = []
for name, pvals in correction_inputs:
    holm_reject, holm_adj, _, _ = multipletests(pvals, alpha=0.05, method="holm")
    bh_reject, bh_adj, _, _ = multipletests(pvals, alpha=0.05, method="fdr_bh")
    correction_cases.append({
        "name": name,
        "pValues": pvals,
        "holm": [f(x) for x in holm_adj],
        "holmRejectAt05": [bool(x) for x in holm_reject],
        "bh": [f(x) for x in bh_adj],
        "bhRejectAt05": [bool(x) for x in bh_reject],
    })

# --- CUPED ----------------------------------------------------------------------------------------
def cuped(xc, yc, xt, yt, confidence):
    """theta and the adjusted difference from statsmodels OLS x ~ 1 + treated + y; the test is Welch
    (as above) on per-user adjusted values x − theta·(y − mean y); variance reduction from numpy."""
    x, y = np.concatenate([xc, xt]), np.concatenate([yc, yt])
    treated = np.concatenate([np.zeros(xc.size), np.ones(xt.size)])
    ols = sm.OLS(x, np.column_stack([np.ones(x.size), treated, y])).fit()
    theta = ols.params[2]
    # Pooled within-variant slope: the same number the OLS with a variant indicator gives.
    within = (np.sum((xc - xc.mean()) * (yc - yc.mean())) + np.sum((xt - xt.mean()) * (yt - yt.mean()))) / (
        np.sum((yc - yc.mean()) ** 2) + np.sum((yt - yt.mean()) ** 2)
    )
    assert abs(within - theta) < 1e-10 * abs(theta), (within, theta)
    adj_c, adj_t = xc - theta * (yc - y.mean()), xt - theta * (yt - y.mean())
    adjusted = welch(adj_c, adj_t, confidence)
    unadjusted = welch(xc, xt, confidence)
    assert abs(adjusted["absolute"]["estimate"] - ols.params[1]) < 1e-9 * max(1, abs(ols.params[1]))
    return {
        "theta": f(theta),
        "olsTreatmentCoefficient": f(ols.params[1]),
        "adjustedMeans": [f(adj_c.mean()), f(adj_t.mean())],
        "adjustedVariances": [f(np.var(adj_c, ddof=1)), f(np.var(adj_t, ddof=1))],
        "varianceReduction": f(1 - adjusted["absolute"]["se"] ** 2 / unadjusted["absolute"]["se"] ** 2),
        "adjusted": adjusted,
        "unadjusted": unadjusted,
    }


def correlated(n, mean_y, sd_y, rho, mean_x, sd_x):
    y = rng.normal(mean_y, sd_y, n)
    x = mean_x + rho * sd_x * (y - mean_y) / sd_y + math.sqrt(1 - rho**2) * sd_x * rng.normal(0, 1, n)
    return x, y


def skewed(n, lift):
    pre = rng.gamma(2, 30, n)
    return pre * rng.lognormal(np.log(1 + lift), 0.5, n) + rng.exponential(10, n), pre


cuped_inputs = [
    ("strong covariate (ρ ≈ 0.7), 1,000 per arm, +2%", 0.95, *correlated(1000, 60, 20, 0.7, 50, 15), *correlated(1000, 60, 20, 0.7, 51, 15)),
    ("weak covariate (ρ ≈ 0.1), 2,000 vs 1,900", 0.95, *correlated(2000, 60, 20, 0.1, 50, 15), *correlated(1900, 60, 20, 0.1, 50.5, 15)),
    ("skewed watch time with last month as covariate, 99%", 0.99, *skewed(3000, 0), *skewed(3100, 0.03)),
]
cuped_cases = [
    {
        "name": name,
        "confidence": conf,
        "control": bivariate_stats(xc, yc),
        "treatment": bivariate_stats(xt, yt),
        "expected": cuped(xc, yc, xt, yt, conf),
    }
    for name, conf, xc, yc, xt, yt in cuped_inputs
]

# --- Ratio metric ---------------------------------------------------------------------------------
def ratio_variant(x, y):
    """Var(Σx/Σy) by linearisation: the sample variance of x − R·y, over n·ȳ²."""
    r = x.sum() / y.sum()
    return r, np.var(x - r * y, ddof=1) / (x.size * y.mean() ** 2)


def ratio(xc, yc, xt, yt, confidence):
    alpha = 1 - confidence
    rc, vc = ratio_variant(xc, yc)
    rt, vt = ratio_variant(xt, yt)
    se = math.sqrt(vc + vt)
    z = (rt - rc) / se
    crit = stats.norm.ppf(1 - alpha / 2)
    return {
        "control": {"value": f(rc), "se": f(math.sqrt(vc))},
        "treatment": {"value": f(rt), "se": f(math.sqrt(vt))},
        "statistic": f(z),
        "pValue": f(2 * stats.norm.sf(abs(z))),
        "absolute": interval(rt - rc, se, crit),
        "relative": relative_lift(rt, vt, rc, vc, crit),
    }


def sessions(n, minutes_per_session):
    count = 1 + rng.poisson(3, n)
    watch = np.array([rng.gamma(2, minutes_per_session / 2, k).sum() for k in count])
    return watch, count.astype(float)


ratio_inputs = [
    ("watch minutes per session, 2,000 per arm, +4%", 0.95, *sessions(2000, 25), *sessions(2000, 26)),
    ("watch minutes per session, no difference, 90%", 0.90, *sessions(1500, 25), *sessions(1600, 25)),
    ("watch minutes per session, small groups 60 vs 50, 99%", 0.99, *sessions(60, 25), *sessions(50, 30)),
]
ratio_cases = [
    {
        "name": name,
        "confidence": conf,
        "control": bivariate_stats(xc, yc),
        "treatment": bivariate_stats(xt, yt),
        "expected": ratio(xc, yc, xt, yt, conf),
    }
    for name, conf, xc, yc, xt, yt in ratio_inputs
]

# --- Sequential (mSPRT, normal mixture) -----------------------------------------------------------
def optimal_tau_squared(planned_variance, alpha):
    """The r = τ²/V* where the boundary half-width at V* is smallest, by scipy's root finder."""
    r = optimize.brentq(lambda r: r - math.log1p(r) + 2 * math.log(alpha), 1e-9, 1e3, xtol=1e-15, rtol=1e-15)
    return r * planned_variance


def sequential(c, t, tau2, confidence):
    """Λ = N(θ̂; 0, V + τ²) / N(θ̂; 0, V), the mixture likelihood ratio written as a ratio of normal
    densities (scipy.stats.norm.logpdf); the confidence sequence is where Λ(θ0) < 1/α."""
    alpha = 1 - confidence
    diff = t.mean() - c.mean()
    v = np.var(t, ddof=1) / t.size + np.var(c, ddof=1) / c.size
    log_lr = stats.norm.logpdf(diff, 0, math.sqrt(v + tau2)) - stats.norm.logpdf(diff, 0, math.sqrt(v))
    # Solve Λ(θ0) = 1/α for θ0 on either side of θ̂ by root finding, not by the closed form.
    log_lr_at = lambda th: stats.norm.logpdf(diff - th, 0, math.sqrt(v + tau2)) - stats.norm.logpdf(diff - th, 0, math.sqrt(v))
    span = 100 * math.sqrt(v + tau2)
    lower = optimize.brentq(lambda th: log_lr_at(th) + math.log(alpha), diff - span, diff, xtol=1e-14, rtol=1e-15)
    upper = optimize.brentq(lambda th: log_lr_at(th) + math.log(alpha), diff, diff + span, xtol=1e-14, rtol=1e-15)
    return {
        "logLikelihoodRatio": f(log_lr),
        "pValue": f(min(1.0, math.exp(-log_lr))),
        "absolute": {"estimate": f(diff), "se": f(math.sqrt(v)), "lower": f(lower), "upper": f(upper)},
    }


sequential_cases = []
for name, conf, c, t, planned_n in [
    ("A/A, 700 per arm, planned for 2,800", 0.95, rng.normal(20, 6, 700), rng.normal(20, 6, 700), 2800),
    ("+5% lift, 2,800 per arm, planned for 2,800", 0.95, rng.normal(20, 6, 2800), rng.normal(21, 6, 2800), 2800),
    ("+5% lift seen early, 300 vs 310, 90%", 0.90, rng.normal(20, 6, 300), rng.normal(21, 6, 310), 2800),
    ("−3% lift, 5,000 per arm, 99%", 0.99, rng.normal(20, 6, 5000), rng.normal(19.4, 6, 5000), 4000),
]:
    tau2 = optimal_tau_squared(2 * 36 / planned_n, 1 - conf)
    sequential_cases.append({
        "name": name,
        "confidence": conf,
        "tauSquared": tau2,
        "control": mean_stats(c),
        "treatment": mean_stats(t),
        "expected": sequential(c, t, tau2, conf),
    })
optimal_tau_cases = [[v, conf, f(optimal_tau_squared(v, 1 - conf))] for v, conf in [(1.0, 0.95), (0.0257, 0.95), (2.5, 0.90), (1e-4, 0.99)]]

# --- Power ----------------------------------------------------------------------------------------
def power_case(name, baseline, n, confidence, power, relative_mde):
    """statsmodels NormalIndPower (both tails, equal arms). Its solve_power stops its root search
    at about 1e-5 relative, so NormalIndPower.power is inverted here with scipy's brentq at 1e-14
    (and solve_power checked to agree to 1e-4). TTestIndPower for the same design shows how far the
    normal approximation is from the t-test."""
    alpha = 1 - confidence
    mean = baseline.get("mean", baseline.get("rate"))
    sd = baseline["sd"] if "sd" in baseline else math.sqrt(baseline["rate"] * (1 - baseline["rate"]))
    pw = lambda es, nobs: NormalIndPower().power(effect_size=es, nobs1=nobs, alpha=alpha, ratio=1.0)
    es = optimize.brentq(lambda es: pw(es, n) - power, 1e-6, 100, xtol=1e-14, rtol=1e-15)
    target = relative_mde * mean / sd
    n_needed = optimize.brentq(lambda nobs: pw(target, nobs) - power, 2, 1e9, xtol=1e-12, rtol=1e-15)
    assert abs(NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=1.0) / es - 1) < 1e-4
    assert abs(NormalIndPower().solve_power(effect_size=target, nobs1=None, alpha=alpha, power=power, ratio=1.0) / n_needed - 1) < 1e-4
    with np.errstate(invalid="ignore"):
        n_needed_t = TTestIndPower().solve_power(effect_size=target, nobs1=None, alpha=alpha, power=power, ratio=1.0)
    return {
        "name": name,
        "baseline": baseline,
        "nPerArm": n,
        "confidence": confidence,
        "power": power,
        "relativeMde": relative_mde,
        "expected": {
            "absoluteMde": f(es * sd),
            "relativeMde": f(es * sd / mean),
            "powerAtMde": f(pw(target, n)),
            "exactNPerArm": f(n_needed),
            "nPerArm": math.ceil(n_needed),
            "tTestNPerArm": f(n_needed_t),
        },
    }


power_cases = [
    power_case("mean 10, sd 3, 1,600 per arm", {"mean": 10, "sd": 3}, 1600, 0.95, 0.8, 0.03),
    power_case("watch minutes mean 42, sd 55, 20,000 per arm", {"mean": 42, "sd": 55}, 20000, 0.95, 0.8, 0.02),
    power_case("retention rate 40%, 25,000 per arm", {"rate": 0.4}, 25000, 0.95, 0.8, 0.03),
    power_case("90% confidence, 90% power", {"mean": 100, "sd": 40}, 5000, 0.90, 0.9, 0.02),
    power_case("99% confidence, 80% power, rate 5%", {"rate": 0.05}, 100000, 0.99, 0.8, 0.05),
    power_case("small test: 50 per arm", {"mean": 10, "sd": 3}, 50, 0.95, 0.8, 0.2),
]

# --- Distributions and simulation bands -----------------------------------------------------------
distributions = {
    "normalCdf": [[x, f(stats.norm.cdf(x))] for x in [-6, -1.959963984540054, -0.3, 0, 1.2, 3.5]],
    "normalQuantile": [[p, f(stats.norm.ppf(p))] for p in [0.0005, 0.025, 0.05, 0.5, 0.8, 0.95, 0.995]],
    "tCdf": [[x, df, f(stats.t.cdf(x, df))] for x, df in [(-2.5, 3), (1.1, 10.5), (-1.96, 1000), (4, 2.2)]],
    "tQuantile": [[p, df, f(stats.t.ppf(p, df))] for p, df in [(0.975, 3), (0.95, 10.5), (0.995, 57.3), (0.975, 5000)]],
    "chiSquareSf": [[x, df, f(stats.chi2.sf(x, df))] for x, df in [(3.841458820694124, 1), (10.0, 2), (0.5, 3), (40.0, 1)]],
}

# The simulation tests count rejections in independent experiments; their bands are binomial.
A_A_RUNS, SEQUENTIAL_RUNS, ALPHA = 2000, 2000, 0.05
bands = {
    "aa": {"runs": A_A_RUNS, "alpha": ALPHA, "lower": int(stats.binom.ppf(0.005, A_A_RUNS, ALPHA)), "upper": int(stats.binom.ppf(0.995, A_A_RUNS, ALPHA))},
    "sequential": {"runs": SEQUENTIAL_RUNS, "alpha": ALPHA, "upper": int(stats.binom.ppf(0.99, SEQUENTIAL_RUNS, ALPHA))},
}

fixtures = {
    "spec": [
        "Generated by make-fixtures.py from seeded per-user arrays; do not edit by hand.",
        "treatment − control throughout; relative = treatment / control − 1 with a delta-method standard error.",
        "Welch: scipy.stats.ttest_ind(equal_var=False) and statsmodels CompareMeans(usevar='unequal'); relative CI uses the Welch t quantile.",
        "Proportions: statsmodels proportions_ztest (pooled SE) and confint_proportions_2indep(method='wald') (unpooled SE).",
        "CUPED: theta = OLS slope of x on y with a variant indicator; Welch on x − theta·(y − pooled mean of y).",
        "Ratio: Σx/Σy per variant, variance by linearisation, normal reference.",
        "Sequential: normal-mixture mSPRT, Λ as a ratio of normal densities, interval by root finding.",
        "Power: statsmodels NormalIndPower.power (two-sided, both tails, equal arms), inverted with scipy brentq.",
    ],
    "distributions": distributions,
    "bands": bands,
    "welch": welch_cases,
    "proportions": proportion_cases,
    "srm": srm_cases,
    "correction": correction_cases,
    "cuped": cuped_cases,
    "ratio": ratio_cases,
    "sequential": sequential_cases,
    "optimalTauSquared": optimal_tau_cases,
    "power": power_cases,
}

out = pathlib.Path(__file__).with_name("fixtures.json")
# One case a line, so a diff of the table reads case by case.
def section(value):
    if isinstance(value, list):
        return "[\n" + ",\n".join(f"    {json.dumps(row, ensure_ascii=False)}" for row in value) + "\n  ]"
    if isinstance(value, dict):
        return "{\n" + ",\n".join(f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()) + "\n  }"
    return json.dumps(value)


out.write_text("{\n" + ",\n".join(f"  {json.dumps(name)}: {section(rows)}" for name, rows in fixtures.items()) + "\n}\n", encoding="utf-8")
print(f"wrote {out}")
