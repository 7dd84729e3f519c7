#!/usr/bin/env python3
"""Check a blendsim facility (facility.toml + its projects CSV) against the
input contract, and summarise its pool.

Usage:
    python3 portfolios/tools/check_portfolio.py FACILITY.toml [...]
    python3 portfolios/tools/check_portfolio.py --markdown FACILITY.toml

It checks what the blendsim input contract requires (unknown keys and
columns, types, ranges, dates, no TOML floats for money, tranche amounts
adding up exactly to the project amounts, eligibility and concentration
limits) plus the house rules of the bundled examples (quarter-date loan
schedules, an 18-month ramp, 7-12 year maturities, both amortisation
profiles, legal final at least a year after the last maturity plus the
recovery lag). It exits non-zero on the first file with errors.

Standard library only (Python >= 3.11 for tomllib).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import sys
import tomllib
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

# ---------------------------------------------------------------- contract

TOP_KEYS = {
    "name", "currency", "currency_minor_digits", "start_date", "payment_frequency",
    "legal_final_date", "day_count", "projects", "scenarios", "management_fee_bps",
    "simulation", "risk", "eligibility", "tranches", "waterfall", "guarantee", "ramp_up_yield",
    "parties", "nexus_events",
}
REQUIRED_TOP = {"name", "currency", "start_date", "legal_final_date", "projects", "risk", "tranches"}
SIM_KEYS = {"paths", "seed"}
RISK_KEYS = {"copula", "recovery_lag_months", "recovery_systematic_weight", "correlation"}
CORR_KEYS = {"global", "mineral", "country"}
ELIG_KEYS = {
    "required_sponsor_nexus", "excluded_sponsor_nexus", "max_project_share",
    "max_mineral_share", "max_country_share",
}
TRANCHE_KEYS = {"name", "class", "amount", "coupon", "deferrable", "public", "funding"}
GUARANTEE_KEYS = {"name", "cap", "cap_share", "fee_bps", "public"}
# Step kinds of [waterfall] and the keys each takes besides `kind`.
STEP_KEYS = {
    "fee": {"name", "rate_bps", "tranche", "amount"},
    "interest": {"tranche"},
    "coverage_test": {"name", "test", "tranche", "min_ratio", "effective_date", "defaulted_value"},
    "reserve": {"name", "tranche", "target_amount", "target_periods", "initial_deposit"},
    "commitment_fee": {"tranche", "rate_bps"},
    "principal": {"tranches", "pro_rata", "sequential_after_test_failure"},
    "residual": {"tranche"},
    "guarantee_fee": set(),
    "guarantor_reimbursement": set(),
    "pdl": {"tranche"},
}
CLASS_RANK = {"senior": 0, "mezzanine": 1, "first_loss": 2}
FREQ_MONTHS = {"monthly": 1, "quarterly": 3, "semi_annual": 6, "annual": 12}
DAY_COUNTS = {"act/365f", "act/360", "30/360"}
MINOR_DIGITS = {
    "USD": 2, "EUR": 2, "GBP": 2, "AUD": 2, "CAD": 2, "CHF": 2, "SGD": 2,
    "INR": 2, "IDR": 2, "JPY": 0, "KRW": 0, "VND": 0,
}
CSV_COLUMNS = [
    "id", "name", "mineral", "segment", "country", "sponsor_nexus", "amount",
    "coupon", "start_date", "construction_end", "maturity_date", "amortization", "annual_pd",
    "recovery_mean", "recovery_sd",
]

# House rules of the bundled examples (not part of the input contract).
RAMP_MONTHS = 18
MIN_TENOR_YEARS = 7
MAX_TENOR_YEARS = 12


class CheckError(Exception):
    pass


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, d.day)  # our dates are all on day 1


def months_between(a: dt.date, b: dt.date) -> int | None:
    """Whole months from a to b when b is exactly a + n months, else None."""
    n = (b.year - a.year) * 12 + (b.month - a.month)
    return n if add_months(a, n) == b else None


def as_date(v, where: str) -> dt.date:
    if isinstance(v, dt.datetime):
        raise CheckError(f"{where}: expected a date, got a date-time")
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise CheckError(f"{where}: expected a TOML date or a 'YYYY-MM-DD' string, got {v!r}")


def as_money(v, where: str, digits: int) -> Decimal:
    if isinstance(v, bool) or isinstance(v, float):
        raise CheckError(f"{where}: money must be a decimal string or an integer, not {type(v).__name__} {v!r}")
    if isinstance(v, int):
        d = Decimal(v)
    elif isinstance(v, str):
        try:
            d = Decimal(v.strip())
        except InvalidOperation:
            raise CheckError(f"{where}: not a decimal: {v!r}") from None
    else:
        raise CheckError(f"{where}: money must be a decimal string or an integer, got {v!r}")
    if not d.is_finite():
        raise CheckError(f"{where}: not finite: {v!r}")
    if -d.as_tuple().exponent > digits:
        raise CheckError(f"{where}: {v!r} has more than {digits} decimal digits")
    return d


def as_rate(v, where: str, lo: float, hi: float, lo_open=False, hi_open=True) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CheckError(f"{where}: expected a number, got {v!r}")
    x = float(v)
    ok_lo = x > lo if lo_open else x >= lo
    ok_hi = x < hi if hi_open else x <= hi
    if not (ok_lo and ok_hi and math.isfinite(x)):
        raise CheckError(f"{where}: {x} out of range")
    return x


def check_keys(table: dict, allowed: set, where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise CheckError(f"{where}: unknown key(s) {sorted(unknown)}")


def load(path: Path) -> dict:
    """Parse and check one facility; return a summary dict."""
    with open(path, "rb") as f:
        fac = tomllib.load(f)
    check_keys(fac, TOP_KEYS, str(path))
    missing = REQUIRED_TOP - set(fac)
    if missing:
        raise CheckError(f"{path}: missing key(s) {sorted(missing)}")
    if not isinstance(fac["name"], str) or not fac["name"].strip():
        raise CheckError(f"{path}: name must be a non-empty string")
    cur = fac["currency"]
    if "currency_minor_digits" in fac:
        digits = fac["currency_minor_digits"]
    elif cur in MINOR_DIGITS:
        digits = MINOR_DIGITS[cur]
    else:
        raise CheckError(f"{path}: currency {cur!r} not in the built-in table")
    start = as_date(fac["start_date"], f"{path}: start_date")
    legal_final = as_date(fac["legal_final_date"], f"{path}: legal_final_date")
    if legal_final <= start:
        raise CheckError(f"{path}: legal_final_date must be after start_date")
    freq = fac.get("payment_frequency", "quarterly")
    if freq not in FREQ_MONTHS:
        raise CheckError(f"{path}: payment_frequency {freq!r}")
    day_count = fac.get("day_count", "act/365f")
    if day_count not in DAY_COUNTS:
        raise CheckError(f"{path}: day_count {day_count!r}")
    fee = as_rate(fac.get("management_fee_bps", 0), f"{path}: management_fee_bps", 0, 10000)

    sim = fac.get("simulation", {})
    check_keys(sim, SIM_KEYS, f"{path}: [simulation]")
    for k in ("paths", "seed"):
        if k in sim and (isinstance(sim[k], bool) or not isinstance(sim[k], int)):
            raise CheckError(f"{path}: simulation.{k} must be an integer")
    if sim.get("paths", 1) < 1 or sim.get("seed", 0) < 0:
        raise CheckError(f"{path}: simulation paths >= 1, seed >= 0")

    risk = fac["risk"]
    check_keys(risk, RISK_KEYS, f"{path}: [risk]")
    if risk.get("copula", "gaussian") != "gaussian":
        raise CheckError(f"{path}: copula must be 'gaussian'")
    lag = risk.get("recovery_lag_months")
    if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
        raise CheckError(f"{path}: risk.recovery_lag_months must be an integer >= 0")
    rsw = as_rate(risk.get("recovery_systematic_weight", 0.0), f"{path}: recovery_systematic_weight", 0, 1, hi_open=False)
    corr = risk.get("correlation")
    if not isinstance(corr, dict):
        raise CheckError(f"{path}: [risk.correlation] is required")
    check_keys(corr, CORR_KEYS, f"{path}: [risk.correlation]")
    shares = {k: as_rate(corr.get(k, 0.0), f"{path}: correlation.{k}", 0, 1) for k in CORR_KEYS}
    if sum(shares.values()) >= 1:
        raise CheckError(f"{path}: correlation shares must sum to < 1")

    elig = fac.get("eligibility", {})
    check_keys(elig, ELIG_KEYS, f"{path}: [eligibility]")
    required = [c.upper() for c in elig.get("required_sponsor_nexus", [])]
    excluded = [c.upper() for c in elig.get("excluded_sponsor_nexus", [])]
    limits = {}
    for k in ("max_project_share", "max_mineral_share", "max_country_share"):
        if k in elig:
            limits[k] = as_rate(elig[k], f"{path}: eligibility.{k}", 0, 1, lo_open=True, hi_open=False)

    tranches = fac["tranches"]
    if not isinstance(tranches, list) or not tranches:
        raise CheckError(f"{path}: at least one [[tranches]]")
    names, last_rank, tr_out = set(), -1, []
    for i, t in enumerate(tranches, 1):
        w = f"{path}: tranche #{i}"
        check_keys(t, TRANCHE_KEYS, w)
        for k in ("name", "class", "amount", "coupon"):
            if k not in t:
                raise CheckError(f"{w}: missing {k}")
        if not t["name"] or t["name"] in names:
            raise CheckError(f"{w}: name empty or duplicated")
        names.add(t["name"])
        if t["class"] not in CLASS_RANK:
            raise CheckError(f"{w}: class {t['class']!r}")
        if CLASS_RANK[t["class"]] < last_rank:
            raise CheckError(f"{w}: classes must not get more senior down the list")
        last_rank = CLASS_RANK[t["class"]]
        amt = as_money(t["amount"], f"{w} amount", digits)
        if amt <= 0:
            raise CheckError(f"{w}: amount must be > 0")
        coupon = as_rate(t["coupon"], f"{w} coupon", 0, 1)
        for k in ("deferrable", "public"):
            if k in t and not isinstance(t[k], bool):
                raise CheckError(f"{w}: {k} must be a boolean")
        tr_out.append(dict(name=t["name"], cls=t["class"], amount=amt, coupon=coupon,
                           deferrable=t.get("deferrable", False), public=t.get("public", False)))

    # ------------------------------------------------------------ projects
    csv_path = (path.parent / fac["projects"]).resolve()
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        if sorted(header) != sorted(CSV_COLUMNS) or len(header) != len(CSV_COLUMNS):
            raise CheckError(f"{csv_path}: header {header} != {CSV_COLUMNS} (any order)")
        rows = []
        for line, rec in enumerate(reader, 2):
            if len(rec) != len(header):
                raise CheckError(f"{csv_path}:{line}: {len(rec)} fields, expected {len(header)}")
            rows.append((line, dict(zip(header, (v.strip() for v in rec)))))
    projects, ids = [], set()
    for line, r in rows:
        w = f"{csv_path}:{line}"
        if not r["id"] or r["id"] in ids:
            raise CheckError(f"{w}: id empty or duplicated")
        ids.add(r["id"])
        for k in ("name", "country", "mineral"):
            if not r[k]:
                raise CheckError(f"{w}: {k} empty")
        mineral = r["mineral"].lower()
        if not all(part.isalpha() and part.islower() for part in mineral.split("_")):
            raise CheckError(f"{w}: mineral {mineral!r}")
        if r["segment"].lower() not in ("extraction", "processing"):
            raise CheckError(f"{w}: segment {r['segment']!r}")
        nexus = [c.strip().upper() for c in r["sponsor_nexus"].split(";")]
        if not all(nexus):
            raise CheckError(f"{w}: sponsor_nexus {r['sponsor_nexus']!r}")
        amount = as_money(r["amount"], f"{w} amount", digits)
        if amount <= 0:
            raise CheckError(f"{w}: amount must be > 0")
        coupon = as_rate(float(r["coupon"]), f"{w} coupon", 0, 1)
        s = dt.date.fromisoformat(r["start_date"])
        m = dt.date.fromisoformat(r["maturity_date"])
        if s < start or s >= m:
            raise CheckError(f"{w}: start_date must be on/after the facility start and before maturity")
        if m > legal_final:
            raise CheckError(f"{w}: maturity after legal_final_date")
        if r["construction_end"]:
            c = dt.date.fromisoformat(r["construction_end"])
            if not s < c <= m:
                raise CheckError(f"{w}: construction_end must be after start_date, on/before maturity")
        if r["amortization"].lower() not in ("bullet", "linear"):
            raise CheckError(f"{w}: amortization {r['amortization']!r}")
        pd_ = as_rate(float(r["annual_pd"]), f"{w} annual_pd", 0, 1, lo_open=True)
        rm = as_rate(float(r["recovery_mean"]), f"{w} recovery_mean", 0, 1, hi_open=False)
        rsd = float(r["recovery_sd"])
        if not (rsd >= 0 and (rsd == 0 or rsd < math.sqrt(rm * (1 - rm)))):
            raise CheckError(f"{w}: recovery_sd {rsd} (need 0 <= sd < sqrt(m(1-m)))")
        if required and not set(nexus) & set(required):
            raise CheckError(f"{w}: sponsor nexus {nexus} has none of {required}")
        if set(nexus) & set(excluded):
            raise CheckError(f"{w}: sponsor nexus {nexus} has an excluded code")
        # house rules
        step = FREQ_MONTHS[freq]
        ms, mm = months_between(start, s), months_between(start, m)
        if ms is None or mm is None or ms % step or mm % step:
            raise CheckError(f"{w}: start and maturity must lie on the facility's payment grid")
        if ms > RAMP_MONTHS:
            raise CheckError(f"{w}: start more than {RAMP_MONTHS} months after the facility start")
        tenor_m = mm - ms
        if not (MIN_TENOR_YEARS * 12 <= tenor_m <= MAX_TENOR_YEARS * 12):
            raise CheckError(f"{w}: tenor {tenor_m} months outside {MIN_TENOR_YEARS}-{MAX_TENOR_YEARS} years")
        projects.append(dict(id=r["id"], name=r["name"], mineral=mineral, segment=r["segment"].lower(),
                             country=r["country"], nexus=nexus, amount=amount, coupon=coupon, start=s,
                             maturity=m, amort=r["amortization"].lower(), pd=pd_, rmean=rm, rsd=rsd,
                             tenor_m=tenor_m))
    if not projects:
        raise CheckError(f"{csv_path}: no projects")

    pool = sum(p["amount"] for p in projects)
    capital = sum(t["amount"] for t in tr_out)
    if pool != capital:
        raise CheckError(f"{path}: tranche amounts {capital} != project amounts {pool}")

    latest = max(p["maturity"] for p in projects)
    need_final = add_months(latest, lag + 12)
    if legal_final < need_final:
        raise CheckError(f"{path}: legal_final_date {legal_final} < latest maturity {latest} "
                         f"+ recovery lag {lag} months + 12 months = {need_final}")
    if {p["amort"] for p in projects} != {"bullet", "linear"}:
        raise CheckError(f"{path}: both bullet and linear loans should be present")

    guarantee = check_guarantee(fac.get("guarantee"), path, pool, digits)
    waterfall = check_waterfall(fac, path, tr_out, guarantee)

    # ------------------------------------------------------------ summary
    def exposure(key):
        acc = defaultdict(Decimal)
        for p in projects:
            acc[p[key]] += p["amount"]
        return sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))

    by = {k: exposure(k) for k in ("mineral", "country", "segment", "amort")}
    by["nexus"] = exposure_nexus(projects)
    share = lambda a: float(a / pool)
    limit_checks = []
    for key, lim in (("max_project_share", "id"), ("max_mineral_share", "mineral"), ("max_country_share", "country")):
        if key in limits:
            worst_name, worst_amt = exposure(lim)[0]
            ok = worst_amt <= Decimal(str(limits[key])) * pool  # exact: amount <= limit x pool
            limit_checks.append((key, limits[key], worst_name, share(worst_amt), ok))
            if not ok:
                raise CheckError(f"{path}: {key} {limits[key]} breached by {worst_name} at {share(worst_amt):.4%}")

    w = lambda f: sum(float(p["amount"]) * f(p) for p in projects) / float(pool)
    corr_pair = average_pair_correlation(projects, shares)
    return dict(
        path=path, csv_path=csv_path, facility=fac, name=fac["name"], currency=cur, start=start,
        legal_final=legal_final, freq=freq, day_count=day_count, fee_bps=fee, sim=sim, lag=lag,
        rsw=rsw, shares=shares, required=required, excluded=excluded, limits=limits,
        tranches=tr_out, projects=projects, pool=pool, by=by, limit_checks=limit_checks,
        wa_pd=w(lambda p: p["pd"]), wa_rec=w(lambda p: p["rmean"]), wa_rsd=w(lambda p: p["rsd"]),
        wa_coupon=w(lambda p: p["coupon"]), wa_tenor=w(lambda p: p["tenor_m"] / 12),
        wal=w(weighted_average_life), latest=latest, need_final=need_final,
        pair_corr=corr_pair, guarantee=guarantee, waterfall=waterfall,
    )


def check_guarantee(g, path: Path, pool: Decimal, digits: int):
    """[guarantee]: a name, exactly one of cap / cap_share, at most the pool."""
    if g is None:
        return None
    w = f"{path}: [guarantee]"
    check_keys(g, GUARANTEE_KEYS, w)
    if not isinstance(g.get("name"), str) or not g["name"].strip():
        raise CheckError(f"{w}: name must be a non-empty string")
    if ("cap" in g) == ("cap_share" in g):
        raise CheckError(f"{w}: exactly one of cap, cap_share")
    if "cap" in g:
        cap = as_money(g["cap"], f"{w} cap", digits)
    else:
        share = as_rate(g["cap_share"], f"{w} cap_share", 0, 1, lo_open=True, hi_open=False)
        cap = (pool * Decimal(str(share))).quantize(Decimal(1).scaleb(-digits), rounding="ROUND_DOWN")
    if not 0 < cap <= pool:
        raise CheckError(f"{w}: cap {cap} must be in (0, pool {pool}]")
    fee = as_rate(g.get("fee_bps", 0), f"{w} fee_bps", 0, 10000)
    return dict(name=g["name"], cap=cap, fee_bps=fee, public=g.get("public", True))


def check_waterfall(fac: dict, path: Path, tranches: list, guarantee):
    """[waterfall]: known step kinds and keys, tranches that exist, every
    tranche repaid, principal list ending with a residual step. Returns the
    steps as (list, kind, label) or None."""
    wf = fac.get("waterfall")
    if wf is None:
        return None
    check_keys(wf, {"interest", "principal", "pdl_recoveries", "residual_after_pdl", "acceleration"},
               f"{path}: [waterfall]")
    if "management_fee_bps" in fac:
        raise CheckError(f"{path}: management_fee_bps applies only without [waterfall]")
    names = {t["name"] for t in tranches}
    out, repaid = [], set()
    for lst in ("interest", "principal"):
        steps = wf.get(lst)
        if not isinstance(steps, list) or not steps:
            raise CheckError(f"{path}: waterfall.{lst} must be a non-empty array of steps")
        for i, st in enumerate(steps):
            w = f"{path}: waterfall.{lst}[{i}]"
            kind = st.get("kind")
            if kind not in STEP_KEYS:
                raise CheckError(f"{w}: kind {kind!r}")
            check_keys(st, STEP_KEYS[kind] | {"kind"}, w)
            named = st.get("tranches", [st["tranche"]] if "tranche" in st else [])
            for t in named:
                if t not in names:
                    raise CheckError(f"{w}: unknown tranche {t!r}")
            if kind == "principal":
                repaid |= set(named)
            if kind in ("guarantee_fee", "guarantor_reimbursement") and guarantee is None:
                raise CheckError(f"{w}: {kind} without [guarantee]")
            label = st.get("name") or ", ".join(named)
            out.append((lst, kind, label))
        if steps[-1]["kind"] != "residual" and lst == "principal":
            raise CheckError(f"{path}: waterfall.principal must end with a residual step")
    if repaid != names:
        raise CheckError(f"{path}: tranche(s) {sorted(names - repaid)} never paid principal")
    return out


def exposure_nexus(projects):
    acc = defaultdict(Decimal)
    for p in projects:
        acc[";".join(p["nexus"])] += p["amount"]
    return sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))


def weighted_average_life(p) -> float:
    """Principal-weighted average life in years (act/365f) from the loan's start."""
    yf = lambda d: (d - p["start"]).days / 365.0
    if p["amort"] == "bullet":
        return yf(p["maturity"])
    n = p["tenor_m"] // 3  # quarterly equal principal
    dates = [add_months(p["start"], 3 * k) for k in range(1, n + 1)]
    return sum(yf(d) for d in dates) / n


def average_pair_correlation(projects, shares) -> dict:
    """Exposure-weighted average asset correlation over pairs of distinct loans."""
    num = den = 0.0
    lo, hi = 1.0, 0.0
    for i, a in enumerate(projects):
        for b in projects[i + 1:]:
            rho = shares["global"]
            rho += shares["mineral"] if a["mineral"] == b["mineral"] else 0.0
            rho += shares["country"] if a["country"] == b["country"] else 0.0
            wgt = float(a["amount"]) * float(b["amount"])
            num += wgt * rho
            den += wgt
            lo, hi = min(lo, rho), max(hi, rho)
    return dict(avg=num / den if den else 0.0, min=lo, max=hi)


# ---------------------------------------------------------------- reports

def money(d: Decimal) -> str:
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"


def markdown(s: dict) -> str:
    pool = s["pool"]
    out = []
    out.append(f"**{s['name']}** (`{s['path'].as_posix()}`): {len(s['projects'])} loans, "
               f"pool {s['currency']} {money(pool)}.\n")
    out.append("| tranche | class | amount | share of pool | coupon | deferrable | public |")
    out.append("|---|---|---:|---:|---:|---|---|")
    for t in s["tranches"]:
        out.append(f"| {t['name']} | {t['cls']} | {money(t['amount'])} | {float(t['amount'] / pool):.2%} | "
                   f"{t['coupon']:.2%} | {str(t['deferrable']).lower()} | {str(t['public']).lower()} |")
    out.append(f"| **total** | | **{money(sum(t['amount'] for t in s['tranches']))}** | 100.00% | | | |")
    out.append("")
    if s["guarantee"]:
        g = s["guarantee"]
        out.append(f"Unfunded guarantee `{g['name']}`: cap {s['currency']} {money(g['cap'])} "
                   f"({float(g['cap'] / pool):.2%} of the pool), fee {g['fee_bps']:g} bps a year "
                   f"on the undrawn cap.\n")
    if s["waterfall"]:
        for lst in ("interest", "principal"):
            steps = [f"{kind} ({label})" if label else kind for l, kind, label in s["waterfall"] if l == lst]
            out.append(f"Priority of payments, {lst} proceeds: " + "; ".join(steps) + ".\n")
    for key, title in (("mineral", "Mineral"), ("country", "Country"), ("segment", "Segment"),
                       ("amort", "Amortisation"), ("nexus", "Sponsor nexus")):
        out.append(f"| {title} | loans | amount | share |")
        out.append("|---|---:|---:|---:|")
        counts = defaultdict(int)
        for p in s["projects"]:
            counts[";".join(p["nexus"]) if key == "nexus" else p[key]] += 1
        for name, amt in s["by"][key]:
            out.append(f"| {name} | {counts[name]} | {money(amt)} | {float(amt / pool):.2%} |")
        out.append("")
    pc = s["pair_corr"]
    out.append("| Pool statistic (exposure-weighted) | value |")
    out.append("|---|---:|")
    out.append(f"| average annual PD | {s['wa_pd']:.3%} |")
    out.append(f"| average recovery mean | {s['wa_rec']:.2%} |")
    out.append(f"| average recovery sd | {s['wa_rsd']:.3f} |")
    out.append(f"| average loan coupon | {s['wa_coupon']:.3%} |")
    out.append(f"| average tenor (start to maturity), years | {s['wa_tenor']:.2f} |")
    out.append(f"| weighted average life of principal, years | {s['wal']:.2f} |")
    out.append(f"| average pairwise asset correlation (min - max) | {pc['avg']:.3f} ({pc['min']:.2f} - {pc['max']:.2f}) |")
    out.append(f"| latest maturity; + recovery lag + 12 months; legal final | {s['latest']}; {s['need_final']}; {s['legal_final']} |")
    out.append("")
    out.append("| Limit | limit | largest | at | holds |")
    out.append("|---|---:|---|---:|---|")
    labels = {"max_project_share": "per project (client)", "max_mineral_share": "per mineral",
              "max_country_share": "per country"}
    for key, lim, worst, sh, ok in s["limit_checks"]:
        out.append(f"| {labels[key]} | {lim:.0%} | {worst} | {sh:.2%} | {'yes' if ok else 'NO'} |")
    out.append(f"| sponsor nexus required | any of {', '.join(s['required'])} | all {len(s['projects'])} loans | | yes |")
    out.append(f"| sponsor nexus excluded | {', '.join(s['excluded'])} | none present | | yes |")
    out.append(f"| tranches = pool, exactly | {money(pool)} | {money(sum(t['amount'] for t in s['tranches']))} | | yes |")
    return "\n".join(out) + "\n"


def text(s: dict) -> str:
    lines = [f"OK {s['path']}: {len(s['projects'])} projects, pool {s['currency']} {money(s['pool'])}, "
             f"tranches " + ", ".join(f"{t['name']} {money(t['amount'])}" for t in s["tranches"]),
             f"   WA PD {s['wa_pd']:.3%}, WA recovery {s['wa_rec']:.2%}, WA tenor {s['wa_tenor']:.2f}y, "
             f"WAL {s['wal']:.2f}y, avg pair corr {s['pair_corr']['avg']:.3f}"]
    for key, lim, worst, sh, ok in s["limit_checks"]:
        lines.append(f"   {key} {lim:.2f}: largest {worst} {sh:.2%} {'ok' if ok else 'BREACH'}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    md = "--markdown" in argv
    files = [a for a in argv if a != "--markdown"]
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    for f in files:
        try:
            s = load(Path(f))
        except (CheckError, ValueError, KeyError, OSError, tomllib.TOMLDecodeError) as e:
            print(f"ERROR {f}: {e}", file=sys.stderr)
            return 1
        print(markdown(s) if md else text(s))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
