#!/usr/bin/env python3
"""Writes src/spec/nexus/iso3166.csv, the ISO 3166-1 part of blendsim's
nexus alias table: for every country or territory, its alpha-2 code (the
canonical nexus code), its alpha-3 code and its names (short name, common
name, official name), one alias per row.

The data is ISO 3166-1 as distributed by the pycountry package (which takes
it from Debian's iso-codes). Run with the pycountry version recorded in the
file's header (`pip install pycountry==26.2.16`):

    python3 tools/make_nexus_aliases.py > src/spec/nexus/iso3166.csv

The aliases blendsim adds itself (PRC, ROK, UK, EU, ...) are not here: they
are in src/spec/nexus/aliases.rs, where each one is documented.
"""

import csv
import sys

import pycountry


def main() -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["alias", "code", "kind"])
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        seen = set()
        rows = [
            (country.alpha_2, "alpha_2"),
            (country.alpha_3, "alpha_3"),
            (country.name, "name"),
            (getattr(country, "common_name", None), "common_name"),
            (getattr(country, "official_name", None), "official_name"),
        ]
        for alias, kind in rows:
            if alias and alias.upper() not in seen:
                seen.add(alias.upper())
                out.writerow([alias, country.alpha_2, kind])


if __name__ == "__main__":
    main()
