#!/usr/bin/env python3
"""Generate the bundled blendsim example portfolios and the generated parts
of docs/calibration.md.

Usage (from the repository root):
    python3 portfolios/tools/make_portfolio.py

Writes
    portfolios/us-rok-critical-minerals/{facility.toml,projects.csv}
    portfolios/quickstart/{facility.toml,projects.csv}
and rewrites the blocks of docs/calibration.md between
    <!-- BEGIN GENERATED: name -->  and  <!-- END GENERATED: name -->
then checks every written facility with check_portfolio.py. The output is
deterministic: running it twice gives identical files (no randomness).

Everything numeric below is either taken from docs/references.md
section 3 (marked SOURCE) or is a modelling assumption (marked ASSUMPTION);
docs/calibration.md explains each.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_portfolio as chk  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "calibration.md"

# --------------------------------------------------------------- calibration

# SOURCE: Moody's idealized 10-year cumulative default probabilities
# (WARF factor / 10,000), references section 3.
PD10 = {
    "Baa3": 0.0610, "Ba1": 0.0940, "Ba2": 0.1350, "Ba3": 0.1766,
    "B1": 0.2220, "B2": 0.2720, "B3": 0.3490, "Caa1": 0.4770, "Caa2": 0.6500,
}
SCALE = list(PD10)  # best to worst, one notch per step


def annual_pd(rating: str) -> float:
    """ASSUMPTION: constant hazard over 10 years, annual = 1 - (1 - PD10)^(1/10).
    Rounded to 6 decimals (what the CSV holds)."""
    return round(1.0 - (1.0 - PD10[rating]) ** 0.1, 6)


def notch_down(rating: str, notches: int) -> str:
    return SCALE[min(SCALE.index(rating) + notches, len(SCALE) - 1)]


# ASSUMPTION: one notch lower for a processing plant, one notch lower for a
# project still in construction or ramp-up when its loan is funded.
PROCESSING_NOTCHES = 1
RAMPING_NOTCHES = 1

# ASSUMPTION: a project still in construction or ramp-up when its loan is
# funded reaches completion 24 months after its first draw (its
# `construction_end`). The construction premium on its default rate is the
# one-notch RAMPING_NOTCHES above, so `[risk] construction_pd_multiplier`
# stays 1 (docs/calibration.md section 2): the date records the period.
CONSTRUCTION_MONTHS = 24

# SOURCE: GEMs recovery rates, references section 3 (regional figures
# 1994-2022; private-sector average 1994-2024).
RECOVERY_SSA = 0.83      # Sub-Saharan Africa
RECOVERY_SOUTH_ASIA = 0.681
RECOVERY_PRIVATE_AVG = 0.729
SUB_SAHARAN = {"Zambia", "Namibia", "Tanzania", "South Africa", "Mozambique"}
SOUTH_ASIA = {"India"}


def recovery_mean(country: str) -> tuple[float, str]:
    if country in SUB_SAHARAN:
        return RECOVERY_SSA, "GEMs Sub-Saharan Africa"
    if country in SOUTH_ASIA:
        return RECOVERY_SOUTH_ASIA, "GEMs South Asia"
    return RECOVERY_PRIVATE_AVG, "GEMs private average"


RECOVERY_SD = 0.22       # ASSUMPTION (no source)

# ASSUMPTION: fixed USD loan coupon by effective rating (7-9% band).
COUPON = {
    "Baa3": 0.0675, "Ba1": 0.0700, "Ba2": 0.0715, "Ba3": 0.0735, "B1": 0.0760,
    "B2": 0.0790, "B3": 0.0825, "Caa1": 0.0875, "Caa2": 0.0900,
}

START = dt.date(2027, 1, 1)
RECOVERY_LAG_MONTHS = 24   # ASSUMPTION
CORRELATION = {"global": 0.12, "mineral": 0.09, "country": 0.03}  # ASSUMPTION (split); total within Basel II 12-24%
RECOVERY_SYSTEMATIC_WEIGHT = 0.30  # ASSUMPTION
MANAGEMENT_FEE_BPS = 35    # ASSUMPTION

# Tranche shares of the pool. First loss: SOURCE IFC MCPP (about 11%).
# Mezzanine: ASSUMPTION. Senior: the rest, exactly.
FIRST_LOSS_SHARE = Decimal("0.11")
# ASSUMPTION (docs/waterfall.md): the flagship's priority of payments.
OC_MIN_RATIO = "1.07"         # mezzanine OC test; closing ratio 1500 / 1335 = 1.124 (docs/calibration.md, section 15)
GUARANTEED_OC_MIN_RATIO = "1.10"  # guarantee example's senior OC test; closing ratio 1500 / 1290 = 1.163
RESERVE_PERIODS = 2           # senior interest reserve: two quarters of senior interest
GUARANTEE_FEE_BPS = 50        # unfunded guarantee: a year, on the undrawn cap
MEZZANINE_SHARE = Decimal("0.14")
# ASSUMPTION (docs/calibration.md, funding): every tranche of the flagship
# and the guarantee example is a delayed-draw commitment funded pro rata as
# the loans draw, so no tranche bears interest on cash not yet lent; the
# private tranches earn a commitment fee on what is undrawn.
TRANCHE_FUNDING = "as_drawn"
COMMITMENT_FEE_BPS = 35
# The coverage tests apply from the first payment date after the last
# draw (the 18-month ramp ends 2028-07-01).
TEST_EFFECTIVE_DATE = "2028-10-01"
# ASSUMPTION (docs/calibration.md, section 15): OC tests carry a defaulted
# loan at its recovery mean until recovered (CLO convention, references
# section 4); the triggers keep a cushion below the closing ratios.
OC_DEFAULTED_VALUE = "recovery_mean"
SENIOR_IC_MIN_RATIO = "1.20"  # senior IC: the sample CLO senior IC trigger (references section 4)
# ASSUMPTION: the principal deficiency ledger debits defaults net of the
# recovery assumed at the project's recovery mean; excess spread cures it,
# most senior sub-ledger first, and the residual waits until it is clear.
PDL_RECOVERIES = "expected"
# ASSUMPTION: a senior coupon unpaid on its payment date is an event of
# default (no grace period beyond the payment date).
EOD_GRACE_PERIODS = 0

# --------------------------------------------------------------- the pool
# id, name (fictional), mineral, segment, country, sponsor nexus,
# amount (USD m), start (quarters after 2027-01-01, 0-6 = 18-month ramp),
# tenor (years), amortisation, base rating, ramping (construction/ramp-up)
E, P = "extraction", "processing"
FLAGSHIP = [
    # lithium
    ("LI-01", "Yarrabee Spodumene Mine", "lithium", E, "Australia", "AU;KR", 40, 0, 10, "bullet", "B1", False),
    ("LI-02", "Coolabah Lithium Hydroxide Refinery", "lithium", P, "Australia", "AU;US", 45, 2, 12, "bullet", "B1", True),
    ("LI-03", "Salar Los Condores Brine Project", "lithium", E, "Chile", "CL;KR", 40, 0, 11, "bullet", "Ba3", False),
    ("LI-04", "Puna Alta Brine Lithium", "lithium", E, "Argentina", "US", 35, 4, 10, "linear", "B2", True),
    ("LI-05", "Laguna Sombra Direct Extraction", "lithium", E, "Argentina", "KR", 25, 6, 9, "linear", "B2", True),
    ("LI-06", "Serra Azul Spodumene Mine", "lithium", E, "Brazil", "BR;US", 30, 0, 8, "linear", "B2", False),
    ("LI-07", "Great Basin Claystone Lithium", "lithium", E, "United States", "US", 35, 3, 12, "bullet", "B1", True),
    ("LI-08", "Cumberland Lithium Conversion Plant", "lithium", P, "United States", "KR;US", 35, 2, 11, "bullet", "Ba3", True),
    ("LI-09", "Saurashtra Battery-Grade Lithium Refinery", "lithium", P, "India", "IN;KR", 25, 5, 10, "bullet", "B1", True),
    # nickel
    ("NI-01", "Halmahera Ridge Laterite Mine", "nickel", E, "Indonesia", "ID;KR", 40, 0, 10, "bullet", "B2", False),
    ("NI-02", "Teluk Timur HPAL Plant", "nickel", P, "Indonesia", "KR", 45, 2, 12, "bullet", "B1", True),
    ("NI-03", "Lake Teal Nickel Sulphide Mine", "nickel", E, "Australia", "AU;KR", 30, 0, 9, "linear", "Ba3", False),
    ("NI-04", "Thunder Creek Nickel-Copper Mine", "nickel", E, "Canada", "CA;US", 35, 4, 11, "bullet", "B2", True),
    ("NI-05", "Kolaka Bay Nickel Matte Smelter", "nickel", P, "Indonesia", "ID;US", 30, 1, 10, "linear", "B2", False),
    ("NI-06", "Goias Plateau Saprolite Nickel", "nickel", E, "Brazil", "KR", 25, 5, 10, "bullet", "B2", True),
    ("NI-07", "Jorf Coast Cathode Precursor Plant", "nickel", P, "Morocco", "KR;MA", 30, 4, 11, "bullet", "B1", True),
    # copper
    ("CU-01", "Copperbelt North Open Pit", "copper", E, "Zambia", "US", 40, 0, 10, "bullet", "B2", False),
    ("CU-02", "Kafue Valley SX-EW Cathode Plant", "copper", P, "Zambia", "KR", 25, 2, 9, "linear", "B2", False),
    ("CU-03", "Atacama Sur Porphyry Expansion", "copper", E, "Chile", "CL;US", 45, 0, 12, "bullet", "Ba3", False),
    ("CU-04", "Cordillera Blanca Copper Mine", "copper", E, "Peru", "KR;PE", 40, 3, 11, "bullet", "B2", True),
    ("CU-05", "Sonora Desert Heap Leach", "copper", E, "Mexico", "MX;US", 30, 0, 8, "linear", "Ba3", False),
    ("CU-06", "Gila River Copper Smelter Restart", "copper", P, "United States", "US", 35, 4, 12, "bullet", "Ba3", True),
    ("CU-07", "Arequipa Concentrator Expansion", "copper", P, "Peru", "PE;US", 25, 1, 9, "linear", "B2", False),
    ("CU-08", "San Juan Andes Copper Project", "copper", E, "Argentina", "CA;US", 30, 6, 12, "bullet", "B2", True),
    # graphite
    ("GR-01", "Ruvuma Flake Graphite Mine", "graphite", E, "Tanzania", "AU;US", 30, 0, 10, "linear", "B3", False),
    ("GR-02", "Niassa Highlands Graphite", "graphite", E, "Mozambique", "US", 25, 4, 9, "linear", "B3", True),
    ("GR-03", "Bayou Active Anode Material Plant", "graphite", P, "United States", "KR;US", 40, 2, 12, "bullet", "Ba3", True),
    ("GR-04", "Laurentian Flake Graphite Mine", "graphite", E, "Canada", "CA;KR", 25, 0, 10, "bullet", "B2", False),
    ("GR-05", "Chota Nagpur Spherical Graphite Plant", "graphite", P, "India", "IN;KR", 20, 3, 8, "linear", "B1", True),
    # rare earths
    ("RE-01", "Gascoyne Ionic Clay Rare Earths", "rare_earths", E, "Australia", "AU;US", 35, 0, 11, "bullet", "B2", False),
    ("RE-02", "Yen Bai Rare Earth Separation Plant", "rare_earths", P, "Viet Nam", "KR;VN", 30, 2, 10, "linear", "B1", True),
    ("RE-03", "Erongo Heavy Rare Earths Project", "rare_earths", E, "Namibia", "US", 25, 4, 10, "bullet", "B3", True),
    ("RE-04", "Minas Gerais Ionic Clay Project", "rare_earths", E, "Brazil", "AU;KR", 30, 0, 9, "linear", "B2", False),
    ("RE-05", "Gulf Coast Magnet Metals Refinery", "rare_earths", P, "United States", "KR;US", 30, 6, 12, "bullet", "Ba3", True),
    ("RE-06", "Lai Chau Bastnaesite Mine", "rare_earths", E, "Viet Nam", "KR;VN", 25, 0, 9, "linear", "B3", False),
    # cobalt
    ("CO-01", "Zambezi Cobalt Hydroxide Refinery", "cobalt", P, "Zambia", "US", 25, 2, 9, "linear", "B2", False),
    ("CO-02", "Salmon River Cobalt Mine", "cobalt", E, "United States", "US", 20, 0, 8, "bullet", "B2", False),
    ("CO-03", "Great Lakes Cobalt Sulphate Refinery", "cobalt", P, "Canada", "CA;KR", 25, 3, 10, "bullet", "B1", True),
    ("CO-04", "Anti-Atlas Cobalt Recovery Plant", "cobalt", P, "Morocco", "MA;US", 20, 0, 10, "linear", "B1", False),
    # manganese
    ("MN-01", "Kalahari Fields Manganese Mine", "manganese", E, "South Africa", "KR;ZA", 35, 0, 10, "bullet", "B1", False),
    ("MN-02", "Eastern Cape HPMSM Plant", "manganese", P, "South Africa", "US;ZA", 25, 4, 11, "bullet", "B1", True),
    ("MN-03", "Keonjhar Manganese Mine", "manganese", E, "India", "IN;KR", 20, 0, 7, "linear", "B1", False),
    ("MN-04", "Arnhem Coast Manganese Project", "manganese", E, "Australia", "AU;US", 20, 2, 9, "linear", "B2", True),
    # gallium
    ("GA-01", "Swan Coast Gallium Recovery Circuit", "gallium", P, "Australia", "AU;US", 20, 2, 10, "bullet", "B1", True),
    ("GA-02", "St. Lawrence Gallium Extraction Plant", "gallium", P, "Canada", "CA;US", 20, 5, 9, "linear", "B1", True),
    ("GA-03", "Tidewater Gallium-Germanium Refinery", "gallium", P, "United States", "KR;US", 25, 3, 11, "bullet", "B1", True),
    # uranium
    ("UR-01", "Swakop Plains Uranium Mine", "uranium", E, "Namibia", "KR;US", 35, 0, 12, "bullet", "B1", False),
    ("UR-02", "Athabasca North Uranium Project", "uranium", E, "Canada", "CA;US", 35, 4, 12, "bullet", "B2", True),
    ("UR-03", "Powder Basin ISR Uranium", "uranium", E, "United States", "US", 20, 0, 8, "linear", "Ba3", False),
    ("UR-04", "Frome Basin ISR Uranium", "uranium", E, "Australia", "AU;US", 25, 2, 10, "bullet", "B2", True),
]

# The quickstart reuses ten flagship projects (same ids, ratings, dates)
# with smaller loans: (flagship id, amount in USD m).
QUICKSTART_PICK = [
    ("LI-01", 25), ("LI-04", 20), ("NI-01", 20), ("NI-02", 25), ("CU-01", 20),
    ("CU-03", 25), ("GR-02", 15), ("GR-03", 20), ("RE-02", 15), ("UR-01", 15),
]
_BY_ID = {r[0]: r for r in FLAGSHIP}
QUICKSTART = [_BY_ID[pid][:6] + (amount,) + _BY_ID[pid][7:] for pid, amount in QUICKSTART_PICK]

PORTFOLIOS = {
    "us-rok-critical-minerals": dict(
        rows=FLAGSHIP,
        name="US-ROK Critical Minerals Facility (illustrative)",
        paths=100000, seed=20270101, max_project_share="0.10", structure="waterfall",
        scenarios_line='scenarios = "scenarios.toml"   # stress scenarios (docs/scenarios.md)\n',
        description=("Flagship example: a pool of loans to critical-minerals extraction and\n"
                     "# processing projects, funded by U.S. and Korean institutional investors\n"
                     "# (senior, mezzanine) above a public first-loss tranche."),
    ),
    "us-rok-guarantee": dict(
        rows=FLAGSHIP,
        name="US-ROK Critical Minerals Facility, guaranteed (illustrative)",
        paths=100000, seed=20270101, max_project_share="0.10", structure="guarantee",
        description=("Guarantee example: the flagship's pool and priority of payments with the\n"
                     "# public first-loss tranche replaced by an unfunded public guarantee of the\n"
                     "# same size; the senior tranche funds the difference."),
    ),
    "quickstart": dict(
        rows=QUICKSTART,
        name="Quickstart Critical Minerals Facility (illustrative)",
        paths=20000, seed=42, max_project_share="0.15", structure="default",
        description=("Quickstart example: ten of the flagship's loans, scaled down, with the\n"
                     "# same structure and calibration; small enough to run in well under a second."),
    ),
}


# --------------------------------------------------------------- builders

def derive(row):
    (pid, name, mineral, segment, country, nexus, amount_m, start_q, tenor_y,
     amort, base, ramping) = row
    notches = (PROCESSING_NOTCHES if segment == P else 0) + (RAMPING_NOTCHES if ramping else 0)
    eff = notch_down(base, notches)
    rec, rec_src = recovery_mean(country)
    start = chk.add_months(START, 3 * start_q)
    return dict(
        id=pid, name=name, mineral=mineral, segment=segment, country=country, sponsor_nexus=nexus,
        amount=Decimal(amount_m) * 1_000_000, coupon=COUPON[eff], start_date=start,
        maturity_date=chk.add_months(start, 12 * tenor_y), amortization=amort,
        annual_pd=annual_pd(eff), recovery_mean=rec, recovery_sd=RECOVERY_SD,
        base=base, notches=notches, eff=eff, rec_src=rec_src, ramping=ramping,
        construction_end=chk.add_months(start, CONSTRUCTION_MONTHS) if ramping else None,
    )


def fmt_rate(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".") if x else "0"


def write_csv(path: Path, loans) -> None:
    lines = [",".join(chk.CSV_COLUMNS)]
    for l in loans:
        vals = dict(l, amount=f"{l['amount']:.0f}", coupon=fmt_rate(l["coupon"]),
                    start_date=l["start_date"].isoformat(), maturity_date=l["maturity_date"].isoformat(),
                    construction_end=l["construction_end"].isoformat() if l["construction_end"] else "",
                    annual_pd=fmt_rate(l["annual_pd"]), recovery_mean=fmt_rate(l["recovery_mean"]),
                    recovery_sd=fmt_rate(l["recovery_sd"]))
        for k in chk.CSV_COLUMNS:
            assert "," not in str(vals[k]) and '"' not in str(vals[k]), (k, vals[k])
        lines.append(",".join(str(vals[k]) for k in chk.CSV_COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def tranche_amounts(pool: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    fl = (pool * FIRST_LOSS_SHARE).quantize(Decimal(1))
    mezz = (pool * MEZZANINE_SHARE).quantize(Decimal(1))
    senior = pool - fl - mezz  # exact by construction
    return senior, mezz, fl


def step(kind: str, **fields) -> str:
    """One [[waterfall.<list>]] table; `list_` names the list, `note` a comment."""
    lst = fields.pop("list_")
    note = fields.pop("note", None)
    lines = [f"[[waterfall.{lst}]]", f'kind = "{kind}"']
    for key, value in fields.items():
        if isinstance(value, str) and not value.replace(".", "").isdigit():
            value = f'"{value}"'
        elif isinstance(value, list):
            value = "[" + ", ".join(f'"{v}"' for v in value) + "]"
        lines.append(f"{key} = {value}")
    if note:
        lines[-1] = f"{lines[-1]:<29} # {note}"
    return "\n".join(lines) + "\n"


def waterfall_toml(tranches: list[str], guaranteed: bool) -> str:
    """The flagship's priority of payments (docs/waterfall.md, docs/calibration.md
    section 15); with a guarantee, its fee comes first and the OC test covers
    the senior (the only funded capital below it is the mezzanine)."""
    i = dict(list_="interest")
    oc_tranche = "senior" if guaranteed else "mezzanine"
    steps = []
    if guaranteed:
        steps.append(step("guarantee_fee", **i, note="the guarantor's fee, senior to everything"))
    steps += [
        step("fee", **i, name="management", rate_bps=MANAGEMENT_FEE_BPS,
             note="assumption (docs/calibration.md, section 7)"),
    ]
    steps += [step("commitment_fee", **i, tranche=t, rate_bps=COMMITMENT_FEE_BPS,
                   note="assumption: a year, on the undrawn commitment")
              for t in ("senior", "mezzanine")]
    steps += [
        step("interest", **i, tranche="senior"),
        step("reserve", **i, name="senior_interest_reserve", tranche="senior",
             target_periods=RESERVE_PERIODS, note="assumption: built from excess spread"),
        step("pdl", **i, tranche="senior", note="excess spread cures the senior's sub-ledger"),
        step("coverage_test", **i, name="senior_ic", test="ic", tranche="senior",
             min_ratio=SENIOR_IC_MIN_RATIO, effective_date=TEST_EFFECTIVE_DATE,
             note="assumption: after the ramp-up"),
        step("coverage_test", **i, name=f"{oc_tranche}_oc", test="oc", tranche=oc_tranche,
             min_ratio=(GUARANTEED_OC_MIN_RATIO if guaranteed else OC_MIN_RATIO),
             effective_date=TEST_EFFECTIVE_DATE,
             defaulted_value=OC_DEFAULTED_VALUE, note="defaulted loans at their recovery mean"),
    ]
    for t in tranches[1:]:
        steps.append(step("interest", **i, tranche=t))
        if t != tranches[-1]:
            steps.append(step("pdl", **i, tranche=t))
    if guaranteed:
        # ASSUMPTION (docs/calibration.md section 15): the guarantor stands
        # where the first loss stood, so excess spread left after the
        # mezzanine reimburses its payouts, once the whole PDL (losses beyond
        # the cap, charged to the funded tranches) is cleared, before the
        # residual: the funded tranches are made whole first.
        steps.append(step("pdl", **i, note="the whole ledger, before the guarantor"))
        steps.append(step("guarantor_reimbursement", **i,
                          note="excess spread repays the guarantor's payouts"))
    steps.append(step("residual", **i, tranche=tranches[-1],
                      note="after the whole PDL is cleared"))
    p = dict(list_="principal")
    steps += [step("principal", **p, tranches=tranches), step("residual", **p, tranche=tranches[-1])]
    a = dict(list_="acceleration.steps")
    accelerated = []
    for t in tranches:
        accelerated += [step("interest", **a, tranche=t), step("principal", **a, tranches=[t])]
    if guaranteed:
        accelerated.append(step("guarantor_reimbursement", **a))
    accelerated.append(step("residual", **a, tranche=tranches[-1]))
    return ("# Priority of payments (docs/waterfall.md): interest proceeds, then\n"
            "# principal proceeds. Excess spread cures the principal deficiency\n"
            "# ledger (PDL) before junior interest and the residual; a failing test\n"
            "# diverts interest to senior principal. Choices: docs/calibration.md, section 15.\n"
            "[waterfall]\n"
            f'pdl_recoveries = "{PDL_RECOVERIES}"       # defaults debited net of the assumed recovery\n'
            "residual_after_pdl = true\n\n"
            + "\n".join(steps)
            + "\n# Event of default: a senior coupon unpaid on its payment date; then all\n"
            "# cash pays the fees and each tranche's interest and principal in turn.\n"
            "[waterfall.acceleration]\n"
            f"grace_periods = {EOD_GRACE_PERIODS}\n\n"
            + "\n".join(accelerated))


def tranche_toml(name: str, cls: str, amount: Decimal, coupon: str, deferrable: bool,
                 public: bool, comment: str, funding: str | None = None) -> str:
    head = f'name = "{name}"'
    text = (f"[[tranches]]\n{head:<25}# {comment}\nclass = \"{cls}\"\n"
            f'amount = "{amount:.0f}"\n{"coupon = " + coupon:<25}# assumption{": concessional" if public else ""}\n'
            f"deferrable = {str(deferrable).lower()}\npublic = {str(public).lower()}\n")
    if funding:
        text += f'{"funding = " + chr(34) + funding + chr(34):<25}# delayed draw: funds its share of each loan draw\n'
    return text


def liabilities_toml(cfg: dict, pool: Decimal) -> str:
    senior, mezz, fl = tranche_amounts(pool)
    structure = cfg["structure"]
    funding = TRANCHE_FUNDING if structure in ("waterfall", "guarantee") else None
    senior_t = lambda amount: tranche_toml("senior", "senior", amount, "0.0575", False, False,
                                           "U.S. and Korean institutional investors", funding)
    mezz_t = tranche_toml("mezzanine", "mezzanine", mezz, "0.08", True, False,
                          "private institutional investors", funding)
    if structure == "guarantee":
        return ("# Most senior first. The senior also funds what the public first loss\n"
                "# funds in the flagship.\n"
                + senior_t(senior + fl) + "\n" + mezz_t + "\n"
                + "[guarantee]\n"
                + 'name = "public_guarantee"     # unfunded: pays realised pool losses up to its cap\n'
                + f"cap_share = {FIRST_LOSS_SHARE}          # the flagship's first-loss share\n"
                + f"fee_bps = {GUARANTEE_FEE_BPS}                # assumption: a year, on the undrawn cap\n"
                + "public = true\n\n"
                + waterfall_toml(["senior", "mezzanine"], True))
    fl_t = tranche_toml("first_loss", "first_loss", fl, "0.01", True, True,
                        "public concessional capital, about 11% (IFC MCPP example)", funding)
    text = "# Most senior first.\n" + senior_t(senior) + "\n" + mezz_t + "\n" + fl_t
    if structure == "waterfall":
        text += "\n" + waterfall_toml(["senior", "mezzanine", "first_loss"], False)
    return text


# ------------------------------------------------------------- parties
# Who holds the flagship's tranches (docs/calibration.md, section 13).
# Discount rates: 5% is the IMF/World Bank unified discount rate (references
# section 4); the others are assumptions. Shares are of each tranche (or of
# the guarantee) and add up to 1 exactly.
PARTIES = [
    # (name, public, kind, discount rate, tranche shares, guarantee share, comment)
    ("mdb_trust_fund", True, "mdb_trust_fund_grant", "0.05",
     {"first_loss": "0.4"}, "0.4", "trust-fund grant at an MDB; IMF/World Bank 5% discount rate"),
    ("us_dfi", True, "development_finance_institution", "0.04",
     {"first_loss": "0.3"}, "0.3", "DFC-style funded share or guarantee; assumption: about the 10-year Treasury yield"),
    ("kr_eca", True, "export_credit_agency", "0.04",
     {"first_loss": "0.3"}, "0.3", "Korean export-credit cover; assumption"),
    ("msp_member", True, "msp_member_government", "0.04",
     {"senior": "0.1"}, None, "one other MSP member government in the senior; assumption"),
    ("us_institutional", False, "institutional_investor", "0.06",
     {"senior": "0.5", "mezzanine": "0.5"}, None, "U.S. pension funds and insurers; assumption"),
    ("kr_institutional", False, "institutional_investor", "0.06",
     {"senior": "0.4", "mezzanine": "0.5"}, None, "Korean pension funds and insurers; assumption"),
]


def parties_toml(cfg: dict) -> str:
    """The `[[parties]]` block at the end of the facility file: the public
    first loss (or guarantee) shared by an MDB trust fund, a U.S. DFI and a
    Korean ECA; the senior and mezzanine held by U.S. and Korean
    institutional investors and one MSP member government."""
    if cfg["structure"] not in ("waterfall", "guarantee"):
        return ""
    guaranteed = cfg["structure"] == "guarantee"
    out = ["\n# Parties (docs/calibration.md, section 13): who holds each tranche; shares\n"
           "# of a tranche add up to 1 exactly. PV cost and grant element in parties.csv.\n"]
    for name, public, kind, rate, shares, guarantee, comment in PARTIES:
        out.append(f"\n[[parties]]\nname = \"{name}\"       # {comment}\n"
                   f"public = {'true' if public else 'false'}\nkind = \"{kind}\"\ndiscount_rate = {rate}\n")
        held = {t: v for t, v in shares.items() if not (guaranteed and t == "first_loss")}
        if held:
            items = ", ".join(f'{{ tranche = "{t}", share = "{v}" }}' for t, v in held.items())
            out.append(f"holdings = [{items}]\n")
        if guaranteed and guarantee:
            out.append(f'guarantees = [{{ guarantee = "public_guarantee", share = "{guarantee}" }}]\n')
    return "".join(out)


# ------------------------------------------------------------ nexus events
def nexus_events_toml(cfg: dict) -> str:
    """The flagship's `[nexus_events]` (docs/calibration.md, section 14): a
    sponsor acquired by a PRC-linked entity after closing must prepay at par
    plus 1% (assumption). No hazard in the base case: no published rate of
    such acquisitions was found; the acquisition_wave scenario sets one."""
    if "scenarios_line" not in cfg:
        return ""
    return ("\n# Nexus events (docs/calibration.md, section 14): a sponsor acquired by a\n"
            "# PRC-linked entity after closing prepays at par plus 1% (assumption). No\n"
            "# hazard in the base case; the acquisition_wave scenario sets one.\n"
            "[nexus_events]\nannual_hazard = 0.0\n"
            "stress_sensitivity = 1.0   # assumption: the hazard rises when the mineral is under stress\n"
            "remedy = \"prepay\"\nprepayment_premium = 0.01\n")


def write_toml(path: Path, cfg: dict, loans) -> None:
    pool = sum(l["amount"] for l in loans)
    latest = max(l["maturity_date"] for l in loans)
    legal_final = chk.add_months(latest, RECOVERY_LAG_MONTHS + 12)
    # round up to the next 1 January, for a readable date
    if (legal_final.month, legal_final.day) != (1, 1):
        legal_final = dt.date(legal_final.year + 1, 1, 1)
    c = CORRELATION
    fee_line = ("" if cfg["structure"] != "default" else
                f"management_fee_bps = {MANAGEMENT_FEE_BPS}   # assumption (docs/calibration.md, section 7)\n")
    text = f"""# {cfg['description']}
# Generated by portfolios/tools/make_portfolio.py; calibration and sources
# in docs/calibration.md. All project and sponsor names are fictional.
# Money is a decimal string (never a TOML float). Pool = {pool:.0f} USD,
# {len(loans)} loans; the {'two funded' if cfg['structure'] == 'guarantee' else 'three'} tranches add up to it exactly.

name = "{cfg['name']}"
currency = "USD"
start_date = {START.isoformat()}
payment_frequency = "quarterly"
# latest maturity {latest.isoformat()} + {RECOVERY_LAG_MONTHS}-month recovery lag + 1 year, rounded up to 1 January
legal_final_date = {legal_final.isoformat()}
day_count = "act/365f"
projects = "projects.csv"
{cfg.get('scenarios_line', '')}{fee_line}
[simulation]
paths = {cfg['paths']}
seed = {cfg['seed']}

[risk]
copula = "gaussian"
recovery_lag_months = {RECOVERY_LAG_MONTHS}          # assumption
recovery_systematic_weight = {RECOVERY_SYSTEMATIC_WEIGHT}   # assumption: recoveries fall in bad states

[risk.correlation]
# Same mineral and country: {c['global'] + c['mineral'] + c['country']:.2f}, the top of the Basel II IRB
# corporate range 12%-24%; the split across factors is an assumption.
global = {c['global']}
mineral = {c['mineral']}
country = {c['country']}

[eligibility]
required_sponsor_nexus = ["US", "KR"]
excluded_sponsor_nexus = ["PRC"]
# EAIF-style concentration limits (references section 3); 40% per sector
# applied per mineral.{' The quickstart has only ten loans of unequal size, so 10% per client cannot hold; it uses 15%.' if cfg['max_project_share'] != '0.10' else ''}
max_project_share = {cfg['max_project_share']}
max_mineral_share = 0.40
max_country_share = 0.25

{liabilities_toml(cfg, pool)}{parties_toml(cfg)}{nexus_events_toml(cfg)}"""
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------- docs

def pd_mapping_table() -> str:
    out = ["| rating | Moody's idealized 10-year cumulative PD (source) | annual PD, constant hazard (derived) | loan coupon (assumption) |",
           "|---|---:|---:|---:|"]
    for r in SCALE:
        out.append(f"| {r} | {PD10[r]:.4f} | {annual_pd(r):.4%} | {COUPON[r]:.2%} |")
    return "\n".join(out) + "\n"


def project_table(loans) -> str:
    out = ["| id | name | mineral | segment | country | nexus | amount (USD m) | start | maturity | amort. | base rating | notches | rating used | annual PD | recovery mean (source) |",
           "|---|---|---|---|---|---|---:|---|---|---|---|---:|---|---:|---|"]
    for l in loans:
        why = []
        if l["segment"] == P:
            why.append("proc.")
        if l["ramping"]:
            why.append("ramp")
        notes = f"-{l['notches']} ({', '.join(why)})" if l["notches"] else "0"
        out.append(f"| {l['id']} | {l['name']} | {l['mineral']} | {l['segment']} | {l['country']} | "
                   f"{l['sponsor_nexus']} | {l['amount'] / 1_000_000:.0f} | {l['start_date']} | {l['maturity_date']} | "
                   f"{l['amortization']} | {l['base']} | {notes} | {l['eff']} | {l['annual_pd']:.4%} | "
                   f"{l['recovery_mean']:.1%} ({l['rec_src']}) |")
    return "\n".join(out) + "\n"


def replace_block(doc: str, name: str, body: str) -> str:
    pat = re.compile(rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.S)
    if not pat.search(doc):
        raise SystemExit(f"docs/calibration.md has no generated block {name!r}")
    return pat.sub(lambda m: m.group(1) + body + m.group(2), doc)


def main() -> int:
    summaries, derived = {}, {}
    for folder, cfg in PORTFOLIOS.items():
        d = ROOT / "portfolios" / folder
        d.mkdir(parents=True, exist_ok=True)
        loans = [derive(r) for r in cfg["rows"]]
        write_csv(d / "projects.csv", loans)
        write_toml(d / "facility.toml", cfg, loans)
        try:
            summaries[folder] = chk.load(d / "facility.toml")
        except chk.CheckError as e:
            print(f"ERROR {folder}: {e}", file=sys.stderr)
            return 1
        derived[folder] = loans
        print(chk.text(summaries[folder]))

    if DOC.exists():
        doc = DOC.read_text(encoding="utf-8")
        rel = lambda s: dict(s, path=s["path"].relative_to(ROOT))
        doc = replace_block(doc, "pd-mapping", pd_mapping_table())
        doc = replace_block(doc, "flagship-summary", chk.markdown(rel(summaries["us-rok-critical-minerals"])))
        doc = replace_block(doc, "flagship-projects", project_table(derived["us-rok-critical-minerals"]))
        doc = replace_block(doc, "quickstart-summary", chk.markdown(rel(summaries["quickstart"])))
        DOC.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
