"""The synthetic state: a realistic, deterministic state built through the real import path.

``playbook synth --students N --seed S`` generates a fictional state (FIPS prefix ``59``): the
registry (the state agency, districts with a real-looking locale mix, schools by grade band,
consortia of small rural districts, providers with their learning models, homegrown models and
model adoptions), then six school years (2020-2025) of pseudonymous student records in the seven
CSV formats of ``schemas.py``, and imports them with :func:`snapshot_import`, the same validation
and snapshot path a real import takes.

Everything is vectorized with NumPy (no Python loop over students) and driven by one
``numpy.random.SeedSequence``, so the same ``N`` and seed give byte-identical CSV files and an
identical registry. The data has structure for the evidence engine to find: subgroup gaps,
students far below grade level, schools whose students grow unusually fast or slow, models that
help (one that hurts), chronic absence concentrated among economically disadvantaged students and
in some schools, and co-taught students with several educators. ``docs/synthetic-state.md``
describes the choices and the measured figures.

Django is imported only inside the functions that need it: the CLI loads this module before it
sets Django up.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# --------------------------------------------------------------------------------------------
# Constants: the state's shape and its assessment scale
# --------------------------------------------------------------------------------------------

STATE_FIPS = "59"
SEA_CODE = "sea"
SEA_NAME = "State Department of Education"
YEARS: tuple[int, ...] = (2020, 2021, 2022, 2023, 2024, 2025)
TESTED_GRADES: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 11)
ROSTER_GRADES: tuple[int, ...] = (3, 4, 5, 6, 7, 8)
SUBJECT_CODES: tuple[str, ...] = ("math", "ela")
#: Content-area names used in the growth engine's (SGP DEMO-style) configuration.
CONTENT_AREAS: dict[str, str] = {"math": "MATHEMATICS", "ela": "ELA"}

#: Mean scale score in grade 3 and the typical growth from grade g to g+1 (g = 3, 4, ..., 10):
#: a vertical scale where growth slows in higher grades, as on real state tests.
_SCALE_BASE = {"math": 400.0, "ela": 410.0}
_SCALE_STEPS = {
    "math": (30.0, 26.0, 22.0, 19.0, 17.0, 15.0, 13.0, 12.0),
    "ela": (28.0, 24.0, 20.0, 17.0, 15.0, 13.0, 11.0, 10.0),
}


def grade_mean(subject: str, grade: int) -> float:
    """The state's nominal mean scale score in ``grade`` (grades below 3 extrapolated)."""
    steps = _SCALE_STEPS[subject]
    mean = _SCALE_BASE[subject]
    if grade >= 3:
        return mean + sum(steps[: grade - 3])
    return mean - steps[0] * (3 - grade)


def grade_sd(subject: str, grade: int) -> float:
    """The nominal standard deviation of scale scores in ``grade``."""
    return 40.0 + 1.5 * (grade - 3)


def _round5(x: float) -> int:
    return int(5 * round(x / 5))


#: Lowest and highest obtainable scale score per subject and tested grade.
LOSS_HOSS: dict[str, dict[int, tuple[int, int]]] = {
    s: {
        g: (_round5(grade_mean(s, g) - 3.5 * grade_sd(s, g)),
            _round5(grade_mean(s, g) + 4.0 * grade_sd(s, g)))
        for g in TESTED_GRADES
    }
    for s in SUBJECT_CODES
}

#: Cuts between achievement levels 1|2, 2|3 (proficient) and 3|4, per subject and grade, at the
#: nominal mean -0.6, +0.15 and +1.1 standard deviations. A score >= a cut is in the higher level.
CUT_SCORES: dict[str, dict[int, tuple[int, int, int]]] = {
    s: {
        g: (round(grade_mean(s, g) - 0.6 * grade_sd(s, g)),
            round(grade_mean(s, g) + 0.15 * grade_sd(s, g)),
            round(grade_mean(s, g) + 1.1 * grade_sd(s, g)))
        for g in TESTED_GRADES
    }
    for s in SUBJECT_CODES
}

#: The cut scores in the format of the SGP package's DEMO configuration
#: (``/work/shared/data/sgp/DEMO_cutscores.json``), for the growth engine.
CUTSCORES_SGP: dict[str, Any] = {
    "source": "playbook synthetic state (playbook.studentdata.synth)",
    "note": "Cutscores[[CONTENT_AREA]][[GRADE_g]] are the scale-score cuts between consecutive "
            "achievement levels (3 cuts -> 4 levels). A score >= cut is in the higher level. "
            "MATHEMATICS is the subject code 'math', ELA is 'ela'.",
    "Cutscores": {
        CONTENT_AREAS[s]: {f"GRADE_{g}": list(CUT_SCORES[s][g]) for g in TESTED_GRADES}
        for s in SUBJECT_CODES
    },
    "Loss_Hoss": {
        CONTENT_AREAS[s]: {f"loss.hoss_{g}": list(LOSS_HOSS[s][g]) for g in TESTED_GRADES}
        for s in SUBJECT_CODES
    },
    "Achievement_Levels": {
        "Labels": ["Beginning", "Developing", "Proficient", "Advanced", "No Score"],
        "Proficient": ["Not Proficient", "Not Proficient", "Proficient", "Proficient", None],
    },
    "Growth_Levels": {
        "Levels": ["Very Low", "Low", "Typical", "High", "Very High"],
        "Cuts": [20, 40, 61, 81],
        "Labels": ["1st - 19th", "20th - 39th", "40th - 60th", "61st - 80th", "81st  - 99th"],
    },
    "Assessment_Program_Information": {
        "Assessment_Name": "Playbook Synthetic State Assessment",
        "Assessment_Abbreviation": "SYNTH",
        "Content_Areas": ["Mathematics", "English Language Arts"],
        "Content_Area_Codes": {CONTENT_AREAS[s]: s for s in SUBJECT_CODES},
        "Grades_Tested": list(TESTED_GRADES),
        "Assessment_Years": [f"{y - 1}_{y}" for y in YEARS],
    },
}


def cutscores_json() -> str:
    """:data:`CUTSCORES_SGP` as JSON text."""
    return json.dumps(CUTSCORES_SGP, indent=2)


# Locale groups: 0 city, 1 suburb, 2 town, 3 rural.
_GROUP_NAMES = ("city", "suburb", "town", "rural")
_GROUP_PROBS = np.array([0.06, 0.17, 0.31, 0.46])  # other than the 1-3 large cities
_SUBCODES = {
    0: (("12", "13"), (0.5, 0.5)),
    1: (("21", "22", "23"), (0.5, 0.3, 0.2)),
    2: (("31", "32", "33"), (0.3, 0.45, 0.25)),
    3: (("41", "42", "43"), (0.3, 0.4, 0.3)),
}
_SIZE_MEDIAN = np.array([9000.0, 4500.0, 1800.0, 650.0])
_ECON_MEAN = np.array([0.68, 0.34, 0.52, 0.50])
_EL_RATE = np.array([0.17, 0.10, 0.07, 0.04])
RACE_CODES: tuple[str, ...] = ("HI", "AM", "AS", "BL", "PI", "WH", "MU")
_RACE_MIX = np.array([
    [0.31, 0.01, 0.07, 0.29, 0.01, 0.25, 0.06],  # city
    [0.19, 0.01, 0.08, 0.12, 0.005, 0.545, 0.05],  # suburb
    [0.15, 0.03, 0.02, 0.06, 0.005, 0.685, 0.05],  # town
    [0.10, 0.05, 0.01, 0.05, 0.005, 0.745, 0.04],  # rural
])
_RACE_ECON = np.array([0.5, 0.6, -0.3, 0.6, 0.3, -0.35, 0.0])  # log-odds shift
_RACE_EL = np.array([3.2, 0.6, 2.2, 0.4, 1.5, 0.12, 0.3])  # relative EL rate

_PREFIXES = (
    "Ash", "Bel", "Bran", "Cal", "Car", "Clay", "Dal", "Dun", "El", "Fair", "Glen", "Gran", "Har",
    "Hol", "Kin", "Lan", "Lex", "Mar", "Mil", "Nor", "Oak", "Pem", "Red", "Ros", "Sal", "Shel",
    "Stan", "Sum", "Tal", "Ver", "Wal", "Wes", "Whit", "Win", "York",
)
_MIDDLES = ("", "er", "in", "ing", "en")
_SUFFIXES = (
    "ford", "ton", "ville", "field", "dale", "wood", "burg", "port", "mont", "ridge", "brook",
    "haven", "view", "land", "ley", "boro", "well", "stead", "more", "crest",
)
_LANDMARKS = (
    "Cedar", "Maple", "Oak Hill", "Lincoln", "Jefferson", "Washington", "Roosevelt", "Riverside",
    "Lakeview", "Hillcrest", "Pine Grove", "Meadowbrook", "Sunset", "Prairie", "Willow",
    "Highland", "Valley", "Central", "Northside", "Southside", "Eastwood", "Westview", "Park",
    "Forest", "Garfield", "Franklin", "Madison", "Kennedy", "Harbor", "Canyon", "Cherry", "Aspen",
    "Sycamore", "Bluff", "Eagle", "Falcon", "Heritage", "Liberty", "Pioneer", "Brookside",
)
_PROVIDER_WORDS = (
    "Summit", "Northstar", "Beacon", "Keystone", "Pathway", "Horizon", "Lantern", "Compass",
    "Bridge", "Spark", "Catalyst", "Ember", "Atlas", "Meridian", "Quill", "Cardinal", "Tandem",
    "Harborlight", "Trailhead", "Cornerstone",
)
_REGIONS = (
    "North Country", "River Valley", "High Plains", "Lakes Region", "Southern Hills", "Prairie",
    "Three Rivers", "Timberline", "Canyon Lands", "Upper Basin", "Red Clay", "Big Sky",
)

# Discipline: incident types and actions in the order of schemas.py.
_INCIDENT_TYPES = ("attendance", "disruption", "fighting", "harassment", "substance", "weapons",
                   "other")
_ACTIONS = ("none", "in_school_suspension", "out_of_school_suspension", "expulsion", "referral")
_TYPE_BY_BAND = np.array([
    [0.02, 0.50, 0.25, 0.10, 0.00, 0.01, 0.12],
    [0.06, 0.38, 0.24, 0.15, 0.05, 0.02, 0.10],
    [0.20, 0.25, 0.16, 0.10, 0.15, 0.03, 0.11],
])
_ACTION_BY_TYPE = np.array([
    [0.55, 0.40, 0.05, 0.00, 0.00],
    [0.45, 0.35, 0.20, 0.00, 0.00],
    [0.10, 0.30, 0.57, 0.01, 0.02],
    [0.30, 0.35, 0.33, 0.01, 0.01],
    [0.10, 0.25, 0.55, 0.04, 0.06],
    [0.02, 0.05, 0.55, 0.20, 0.18],
    [0.50, 0.30, 0.20, 0.00, 0.00],
])

MIN_STUDENTS = 200
TEST_WINDOW = 0.85  # spring testing, as a fraction of the school year
KIND_ORDER: tuple[str, ...] = ("enrollment", "demographics", "assessments", "attendance",
                               "discipline", "rosters", "model_participation")


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass
class SynthReport:
    """What one build made, and how long each phase took."""

    students: int
    seed: int
    districts: int = 0
    schools: int = 0
    providers: int = 0
    models: int = 0
    consortia: int = 0
    adoptions: int = 0
    educators: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    csv_bytes: dict[str, int] = field(default_factory=dict)
    parquet_bytes: dict[str, int] = field(default_factory=dict)
    snapshot_id: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    #: The process's peak resident memory (MiB) at the end of each phase.
    peak_rss_mib: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"synthetic state: {self.students:,} students, seed {self.seed} -> snapshot "
            f"{self.snapshot_id}",
            f"  registry: {self.districts} districts, {self.schools} schools, {self.consortia} "
            f"consortia, {self.providers} providers, {self.models} models, {self.adoptions} "
            f"adoption-years, {self.educators:,} educators",
        ]
        for kind in KIND_ORDER:
            if kind in self.rows:
                lines.append(
                    f"  {kind:<20} {self.rows[kind]:>12,} rows"
                    f"  csv {self.csv_bytes.get(kind, 0):>13,} B"
                    f"  parquet {self.parquet_bytes.get(kind, 0):>12,} B"
                )
        total = sum(self.seconds.values())
        phases = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        lines.append(f"  time: {total:.1f}s ({phases})")
        if self.peak_rss_mib:
            memory = ", ".join(f"{k} {v:,.0f}" for k, v in self.peak_rss_mib.items())
            lines.append(f"  peak memory (MiB) after: {memory}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Small vectorized helpers
# --------------------------------------------------------------------------------------------


def _categorical(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per element of ``rows`` from ``probs[rows]`` (a table of probability rows)."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(rows))
    out = (u[:, None] >= cum[rows]).sum(axis=1)
    return np.minimum(out, probs.shape[1] - 1)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """A 64-bit integer hash (splitmix64), vectorized; wraps around by design."""
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _unit(x: np.ndarray) -> np.ndarray:
    """A uniform number in [0, 1) from a hash."""
    return (_splitmix(x) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _affine(rng: np.random.Generator, modulus: int) -> tuple[int, int]:
    """A random bijection ``x -> (a x + b) mod modulus`` on ``[0, modulus)`` (modulus 10**k)."""
    while True:
        a = int(rng.integers(modulus // 10, modulus))
        if a % 2 and a % 5:
            return a, int(rng.integers(0, modulus))


def _padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers, as an Arrow string array."""
    digits = pc.utf8_lpad(pa.array(numbers.astype(np.int64)).cast(pa.string()), width=width,
                          padding="0")
    if not prefix:
        return digits
    return pc.binary_join_element_wise(prefix, digits, "")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def _fraction_dates(
    first_day: np.ndarray, span: np.ndarray, frac: np.ndarray
) -> np.ndarray:
    """Calendar day numbers (days since 1970-01-01) at ``frac`` of each school year."""
    return first_day + np.rint(frac * span).astype(np.int64)


def _date_strings(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Day numbers -> 'YYYY-MM-DD' strings (null where ``mask`` is False)."""
    if len(days) == 0:
        return pa.array([], pa.string())
    lo = int(days.min())
    hi = int(days.max())
    table = pa.array(
        np.datetime_as_string(np.arange(lo, hi + 1).astype("datetime64[D]"), unit="D").tolist(),
        pa.string(),
    )
    idx = pa.array(days - lo, mask=None if mask is None else ~mask)
    return table.take(idx)


# --------------------------------------------------------------------------------------------
# The plan: districts, schools, consortia, providers, models, adoptions
# --------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    n_students: int
    # districts
    d_leaid: list[str]
    d_name: list[str]
    d_place: list[str]
    d_group: np.ndarray
    d_locale: list[str]
    d_weight: np.ndarray
    d_econ: np.ndarray
    d_first_day: np.ndarray  # (n_d, years): day numbers of the first day
    d_days: np.ndarray  # instructional days a year
    # schools
    s_district: np.ndarray
    s_nces: list[str]
    s_name: list[str]
    s_type: list[str]
    s_low: np.ndarray
    s_high: np.ndarray
    s_growth: np.ndarray  # SD units a year
    s_absence: np.ndarray  # log-odds shift
    s_discipline: np.ndarray  # log-rate shift
    s_coteach: np.ndarray  # bool: co-teaching even without a model
    s_adopt: np.ndarray  # (n_s, years) model index or -1
    s_share: np.ndarray  # share of students in a subject model's grades who take part
    # (district, band) -> schools, for picking a student's school
    g_cum: np.ndarray
    g_school: np.ndarray
    # consortia
    consortia: list[dict[str, Any]]
    providers: list[dict[str, Any]]
    models: list[dict[str, Any]]
    m_low: np.ndarray
    m_high: np.ndarray
    m_math: np.ndarray
    m_ela: np.ndarray
    m_effect: np.ndarray  # SD units a year


def _place_names(rng: np.random.Generator, count: int) -> list[str]:
    combos = len(_PREFIXES) * len(_MIDDLES) * len(_SUFFIXES)
    picks = rng.permutation(combos)[: min(count, combos)]
    names = []
    for p in picks:
        a, rest = divmod(int(p), len(_MIDDLES) * len(_SUFFIXES))
        b, c = divmod(rest, len(_SUFFIXES))
        names.append((_PREFIXES[a] + _MIDDLES[b] + _SUFFIXES[c]).capitalize())
    while len(names) < count:  # only for enormous states
        names.append(names[len(names) % combos] + " Springs")
    return names


def _band(grade: np.ndarray) -> np.ndarray:
    """0 elementary (K-5), 1 middle (6-8), 2 high (9-12)."""
    return (grade >= 6).astype(np.int64) + (grade >= 9).astype(np.int64)


def _plan(rng: np.random.Generator, n_students: int) -> _Plan:
    n_d = max(12, round(n_students / 1500))
    n_big = 1 if n_d < 20 else 2 if n_d < 120 else 3
    # ---- districts: locale, size, poverty
    # the locale mix by quota (largest remainders), so even a small state has it
    quota = _GROUP_PROBS * (n_d - n_big)
    counts = np.floor(quota).astype(np.int64)
    counts[np.argsort(-(quota - counts), kind="stable")[: n_d - n_big - counts.sum()]] += 1
    group = np.concatenate([np.zeros(n_big, np.int64),
                            rng.permutation(np.repeat(np.arange(4), counts))])
    locale = ["11"] * n_big
    for g in group[n_big:]:
        codes, probs = _SUBCODES[int(g)]
        locale.append(str(rng.choice(codes, p=probs)))
    raw = np.exp(np.log(_SIZE_MEDIAN[group]) + rng.normal(0, 0.6, n_d))
    raw = np.maximum(raw, 120.0)
    other = raw[n_big:] / raw[n_big:].sum()
    split = np.array([0.58, 0.27, 0.15])[:n_big]
    split /= split.sum()
    city_share = max(0.22, float(other.max()) / (0.7 * split[0] + float(other.max())))
    weight = np.concatenate([city_share * split, (1 - city_share) * other])
    econ = np.clip(_ECON_MEAN[group] + rng.normal(0, 0.08, n_d), 0.08, 0.92)
    places = _place_names(rng, n_d + 200)
    d_place = places[:n_d]
    names = []
    for k in range(n_d):
        g = int(group[k])
        if g == 0:
            suffix = ("City School District", "City Schools", "Public Schools")[k % 3]
        elif g == 1:
            suffix = ("Public Schools", "Unified School District", "Community Schools")[k % 3]
        elif g == 2:
            suffix = ("City Schools", "Area School District", "County Schools")[k % 3]
        else:
            suffix = ("County Schools", "Consolidated Schools", "Community School District")[k % 3]
        names.append(f"{d_place[k]} {suffix}")
    leaid_nums = np.sort(rng.choice(100_000, size=n_d, replace=False))
    d_leaid = [f"{STATE_FIPS}{int(x):05d}" for x in leaid_nums]
    days = rng.integers(170, 181, n_d)
    start_offset = rng.integers(0, 21, n_d)
    first = np.array([np.datetime64(f"{y - 1}-08-12").astype(np.int64) for y in YEARS])
    d_first = first[None, :] + start_offset[:, None]

    # ---- schools by grade band
    grade_cohort = n_students / 20.1  # students per grade statewide in a steady year
    per_grade = weight * grade_cohort
    s_district: list[int] = []
    s_low: list[int] = []
    s_high: list[int] = []
    s_weight: list[float] = []
    s_type: list[str] = []
    s_name: list[str] = []
    groups: list[list[int]] = [[] for _ in range(n_d * 3)]
    landmarks = list(_LANDMARKS) + places[n_d:]

    def add(d: int, low: int, high: int, kind: str, label: str) -> None:
        idx = len(s_district)
        s_district.append(d)
        s_low.append(low)
        s_high.append(high)
        s_type.append(kind)
        w = float(np.exp(rng.normal(0, 0.3)))
        s_weight.append(w * (0.55 if kind == "charter" else 1.0))
        base = landmarks[int(rng.integers(0, len(landmarks)))]
        if kind == "charter":
            word = _PROVIDER_WORDS[int(rng.integers(0, len(_PROVIDER_WORDS)))]
            s_name.append(f"{word} {('Academy', 'Preparatory Academy', 'Charter School')[idx % 3]}")
        elif kind == "innovation":
            s_name.append(f"{base} Innovation {label}")
        else:
            s_name.append(f"{base} {label}")
        for band, (lo, hi) in enumerate(((0, 5), (6, 8), (9, 12))):
            if low <= lo and high >= hi:
                groups[d * 3 + band].append(idx)

    for d in range(n_d):
        c = per_grade[d]
        enrolled = 13 * c
        city = group[d] == 0
        if enrolled < 450:
            add(d, 0, 12, "district_run", "School")
            continue
        if enrolled < 1100:
            add(d, 0, 8, "district_run", "K-8 School")
            add(d, 9, 12, "district_run", "High School")
            continue
        for low, high, per_school, label in (
            (0, 5, 420.0, "Elementary School"),
            (6, 8, 650.0, "Middle School"),
            (9, 12, 1300.0, "High School"),
        ):
            n = max(1, round((high - low + 1) * c / per_school))
            n_charter = round(0.12 * n) if city and n >= 4 else 0
            for k in range(n):
                kind = "charter" if k < n_charter else "district_run"
                if kind == "district_run" and rng.random() < 0.05:
                    kind = "innovation"
                add(d, low, high, kind, label)
    n_s = len(s_district)
    sd_arr = np.array(s_district)
    # school NCES IDs: LEAID + 5 digits, increasing within the district
    s_nces = []
    seq = np.zeros(n_d, np.int64)
    for i in range(n_s):
        d = s_district[i]
        seq[d] += int(rng.integers(1, 40))
        s_nces.append(f"{d_leaid[d]}{int(seq[d]):05d}")
    if "innovation" not in s_type:
        s_type[int(np.argmax(s_weight))] = "innovation"
    # cumulative weights for picking: group g's entries are g + cumulative share
    g_cum_l: list[float] = []
    g_school_l: list[int] = []
    for gi, members in enumerate(groups):
        if not members:
            # a district must serve every band; the closest school serves it
            d = gi // 3
            members = [i for i in range(n_s) if s_district[i] == d][-1:]
            groups[gi] = members
        w = np.array([s_weight[i] for i in members])
        cum = np.cumsum(w) / w.sum()
        cum[-1] = 1.0
        g_cum_l.extend(gi + cum)
        g_school_l.extend(members)
    g_cum = np.array(g_cum_l)
    g_cum[-1] = np.inf

    # ---- school effects
    s_low_a = np.array(s_low)
    s_high_a = np.array(s_high)
    s_growth = rng.normal(0.0, 0.05, n_s)
    tested = np.flatnonzero((s_low_a <= 7) & (s_high_a >= 4))
    size = np.array(s_weight)[tested] * per_grade[sd_arr[tested]]
    candidates = tested[size >= np.quantile(size, 0.3)] if len(tested) > 3 else tested
    n_special = max(1, round(0.03 * len(tested)))
    chosen = rng.choice(candidates, size=min(len(candidates), 2 * n_special), replace=False)
    fast, slow = chosen[:n_special], chosen[n_special:]
    s_growth[fast] = rng.uniform(0.3, 0.5, len(fast))
    s_growth[slow] = -rng.uniform(0.3, 0.5, len(slow))
    s_absence = rng.normal(0.0, 0.3, n_s)
    s_discipline = rng.normal(0.0, 0.5, n_s)
    s_coteach = rng.random(n_s) < 0.15

    # ---- consortia of small rural districts
    rural_small = [d for d in range(n_d) if group[d] == 3 and per_grade[d] * 13 < 1500]
    n_c = int(np.clip(len(rural_small) // 6, 1 if len(rural_small) >= 3 else 0, 6))
    rural_small = [rural_small[i] for i in rng.permutation(len(rural_small))]
    consortia = []
    regions = [_REGIONS[i] for i in rng.permutation(len(_REGIONS))]
    pos = 0
    for k in range(n_c):
        size_c = int(rng.integers(3, 7))
        members = rural_small[pos: pos + size_c]
        pos += size_c
        if len(members) < 2:
            break
        consortia.append({
            "code": f"consortium-{_slug(regions[k])}",
            "name": f"{regions[k]} Rural Education Consortium",
            "members": members,
            "joined": [int(2018 + rng.integers(0, 4)) for _ in members],
        })

    # ---- providers and their models
    n_p = int(np.clip(round(8 + 2 * math.log2(max(n_students, 50_000) / 50_000)), 8, 15))
    words = [_PROVIDER_WORDS[i] for i in rng.permutation(len(_PROVIDER_WORDS))]
    ptypes = ["company", "nonprofit", "college"] + [
        str(rng.choice(["company", "nonprofit", "college"], p=[0.55, 0.3, 0.15]))
        for _ in range(n_p - 3)
    ]
    providers: list[dict[str, Any]] = []
    models: list[dict[str, Any]] = []
    templates = (
        ("Whole-School Model", "whole_school", "", 0, 5),
        ("Middle Years Model", "whole_school", "", 6, 8),
        ("High School Redesign", "whole_school", "", 9, 12),
        ("Math Studio", "subject_grades", "math", 3, 8),
        ("Literacy Lab", "subject_grades", "ela", 0, 5),
        ("Math Pathways", "subject_grades", "math", 6, 8),
        ("Reading Accelerator", "subject_grades", "ela", 3, 8),
        ("Flex Academy", "whole_school", "", 0, 8),
    )
    for k in range(n_p):
        word = words[k % len(words)]
        ptype = ptypes[k]
        if ptype == "company":
            name = f"{word} {('Learning', 'Education Inc.', 'Learning Systems')[k % 3]}"
        elif ptype == "nonprofit":
            label = ("Learning Partners", "Education Collaborative", "Schools Network")[k % 3]
            name = f"{word} {label}"
        else:
            place = places[n_d + 100 + k]
            name = f"{place} {('State University', 'College of Education')[k % 2]}"
            word = place
        code = _slug(name)
        providers.append({"code": code, "name": name, "type": ptype,
                          "website": f"https://{code}.example.org"})
        for t in rng.choice(len(templates), size=int(rng.integers(1, 4)), replace=False):
            label, scope, subject, low, high = templates[int(t)]
            models.append({
                "code": _slug(f"{word} {label}"), "name": f"{word} {label}", "provider": k,
                "home_district": None, "scope": scope, "subjects": subject, "low": low,
                "high": high,
            })
    big = 0
    other_d = int(np.argmax(np.where(group >= 1, weight, -1.0)))
    for d, label, low, high in ((big, "Personalized Pathways", 6, 8),
                                (other_d, "Competency Academy", 0, 5)):
        models.append({
            "code": _slug(f"{d_place[d]} {label}"), "name": f"{d_place[d]} {label}",
            "provider": None, "home_district": d, "scope": "whole_school", "subjects": "",
            "low": low, "high": high,
        })
    n_m = len(models)
    m_low = np.array([m["low"] for m in models])
    m_high = np.array([m["high"] for m in models])
    m_math = np.array([m["scope"] == "whole_school" or m["subjects"] == "math" for m in models])
    m_ela = np.array([m["scope"] == "whole_school" or m["subjects"] == "ela" for m in models])

    # ---- adoptions: ~20% of schools, from some year on
    in_consortium = np.zeros(n_d, bool)
    for c in consortia:
        in_consortium[np.array(c["members"], np.int64)] = True
    p = np.where(in_consortium[sd_arr], 1.6, 1.0) * np.where(
        np.array(s_type) == "district_run", 1.0, 1.4)
    n_adopt = max(3, round(0.2 * n_s))
    adopters = rng.choice(n_s, size=min(n_s, n_adopt), replace=False, p=p / p.sum())
    popularity = rng.gamma(2.0, 1.0, n_m)
    s_adopt = np.full((n_s, len(YEARS)), -1, np.int64)
    home = np.array([-1 if m["home_district"] is None else m["home_district"] for m in models])
    for s in np.sort(adopters):
        lo = np.maximum(s_low_a[s], m_low)
        hi = np.minimum(s_high_a[s], m_high)
        ok = ((hi - lo) >= 1) & ((home < 0) | (home == s_district[s]))
        if not ok.any():
            continue
        wm = popularity * ok
        m = int(rng.choice(n_m, p=wm / wm.sum()))
        start = int(rng.choice(len(YEARS), p=[0.1, 0.2, 0.2, 0.2, 0.2, 0.1]))
        s_adopt[s, start:] = m
    s_share = rng.uniform(0.6, 1.0, n_s)
    # model effects: most help a little; one helps clearly and one hurts (among adopted ones)
    m_effect = rng.normal(0.03, 0.02, n_m)
    adopted = np.unique(s_adopt[s_adopt >= 0])
    provider_adopted = [m for m in adopted if models[m]["provider"] is not None]
    if len(provider_adopted) >= 2:
        pick = rng.choice(provider_adopted, size=2, replace=False)
        m_effect[pick[0]] = 0.15
        m_effect[pick[1]] = -0.08

    return _Plan(
        n_students=n_students, d_leaid=d_leaid, d_name=names, d_place=d_place, d_group=group,
        d_locale=locale, d_weight=weight, d_econ=econ, d_first_day=d_first, d_days=days,
        s_district=sd_arr, s_nces=s_nces, s_name=s_name, s_type=s_type, s_low=s_low_a,
        s_high=s_high_a, s_growth=s_growth, s_absence=s_absence, s_discipline=s_discipline,
        s_coteach=s_coteach, s_adopt=s_adopt, s_share=s_share, g_cum=g_cum,
        g_school=np.array(g_school_l), consortia=consortia, providers=providers, models=models,
        m_low=m_low, m_high=m_high, m_math=m_math, m_ela=m_ela, m_effect=m_effect,
    )


# --------------------------------------------------------------------------------------------
# Students
# --------------------------------------------------------------------------------------------


@dataclass
class _Students:
    """Per-student arrays (length N) and per-student-year matrices (N x years)."""

    key: pa.Array  # "S" + 9 digits
    district: np.ndarray
    race: np.ndarray
    gender: np.ndarray
    active: np.ndarray  # (N, T) bool
    grade: np.ndarray  # (N, T) int
    school: np.ndarray  # (N, T) home school, -1 when not enrolled
    f_in: np.ndarray  # (N, T) fraction of the year when the student entered
    f_out: np.ndarray  # (N, T) fraction of the year when the student left
    exited: np.ndarray  # (N, T) bool: an exit date is recorded
    transfer: np.ndarray  # (N, T) school attended before a mid-year transfer, or -1
    f_transfer: np.ndarray  # (N, T)
    econ: np.ndarray  # (N, T) bool
    disability: np.ndarray  # (N, T) bool
    el: np.ndarray  # (N, T) bool
    model: np.ndarray  # (N, T) model the student takes part in, or -1
    absent_rate: np.ndarray  # (N, T) daily absence probability
    far_below: np.ndarray  # (N,) bool: started 2+ grade levels behind
    retained: np.ndarray  # (N, T) bool: repeats last year's grade


def _students(rng: np.random.Generator, plan: _Plan) -> _Students:
    n = plan.n_students
    n_t = len(YEARS)
    a, b = _affine(rng, 10**9)
    nums = (np.arange(n, dtype=np.int64) * a + b) % 10**9
    key = _padded("S", nums, 9)
    district = rng.choice(len(plan.d_leaid), size=n, p=plan.d_weight)
    dgroup = plan.d_group[district]

    # ---- life course: who starts when, in which grade; retention, graduation, moving away
    kind = rng.choice(3, size=n, p=np.array([13.0, 5.0, 2.1]) / 20.1)
    start_t = np.where(kind == 0, 0, rng.integers(1, n_t, n))
    start_g = np.where(kind == 0, rng.integers(0, 13, n),
                       np.where(kind == 1, 0, rng.integers(1, 13, n)))
    p_ret = np.array([0.03, 0.025, 0.015, 0.015, 0.007, 0.007, 0.007, 0.007, 0.007, 0.04, 0.01,
                      0.01, 0.02])
    p_out = np.where(np.arange(13) >= 9, 0.05, 0.035)
    active = np.zeros((n, n_t), bool)
    grade = np.zeros((n, n_t), np.int64)
    retained = np.zeros((n, n_t), bool)
    done = np.zeros(n, bool)
    reason = np.zeros(n, np.int64)  # 0 still enrolled, 1 graduated, 2 moved away
    g = start_g.copy()
    for t in range(n_t):
        if t > 0:
            was = active[:, t - 1]
            prev = grade[:, t - 1]
            ret = was & (rng.random(n) < p_ret[prev])
            grad = was & (prev == 12) & ~ret
            moved = was & ~grad & (rng.random(n) < p_out[prev])
            reason = np.where(grad & ~done, 1, np.where(moved & ~done, 2, reason))
            done |= grad | moved
            g = np.where(was, prev + (~ret).astype(np.int64), g)
            retained[:, t] = ret
        act = (t >= start_t) & ~done
        active[:, t] = act
        grade[:, t] = np.where(act, g, grade[:, t - 1] if t else g)
    last_t = n_t - 1 - np.argmax(active[:, ::-1], axis=1)
    t_idx = np.arange(n_t)[None, :]
    mid_in = (kind == 2) & (rng.random(n) < 0.4)
    f_in_s = np.where(mid_in, rng.uniform(0.05, 0.8, n), 0.0)
    mid_out = (reason == 2) & (rng.random(n) < 0.5)
    f_out_s = np.where(mid_out, rng.uniform(0.15, 0.95, n), 1.0)
    first_year = t_idx == start_t[:, None]
    last_year = t_idx == last_t[:, None]
    f_in = np.where(first_year, f_in_s[:, None], 0.0)
    f_out = np.where(last_year, f_out_s[:, None], 1.0)
    f_out = np.maximum(f_out, np.minimum(f_in + 0.1, 1.0))
    exited = active & last_year & (reason > 0)[:, None]

    # ---- home school: a stable attendance zone per band
    u_zone = rng.random((n, 3))
    band = _band(grade)
    gi = district[:, None] * 3 + band
    u = np.take_along_axis(u_zone, band, axis=1)
    school = plan.g_school[np.searchsorted(plan.g_cum, gi + u, side="right")]
    school = np.where(active, school, -1)
    # mid-year transfers inside the district: started the year elsewhere
    full_year = active & (f_in == 0.0) & (f_out == 1.0)
    move = full_year & (rng.random((n, n_t)) < 0.02)
    alt = plan.g_school[np.searchsorted(plan.g_cum, gi + rng.random((n, n_t)), side="right")]
    transfer = np.where(move & (alt != school), alt, -1)
    f_transfer = np.where(transfer >= 0, rng.uniform(0.2, 0.7, (n, n_t)), 0.0)

    # ---- demographics
    race_p = _RACE_MIX[dgroup]
    race = (rng.random(n)[:, None] >= np.cumsum(race_p, axis=1)).sum(axis=1)
    race = np.minimum(race, len(RACE_CODES) - 1)
    gender = rng.choice(3, size=n, p=[0.488, 0.505, 0.007])
    logit = np.log(plan.d_econ / (1 - plan.d_econ))[district] + _RACE_ECON[race] - 0.05
    p_econ = 1 / (1 + np.exp(-logit))
    u_econ = rng.random(n)
    econ = (u_econ[:, None] + rng.normal(0, 0.06, (n, n_t))) < p_econ[:, None]
    p_dis = np.where(gender == 1, 0.17, 0.11)
    disability = (rng.random(n)[:, None] + rng.normal(0, 0.02, (n, n_t))) < p_dis[:, None]
    # English learners: identified on arrival in the state's schools (kindergarten for most,
    # the year they moved in for movers), reclassified after a few years (mean about 6.5)
    p_el = np.clip(_EL_RATE[dgroup] * _RACE_EL[race] / 0.43, 0, 0.9) * np.where(kind == 2, 0.7, 1)
    el0 = rng.random(n) < p_el
    el_years = 1 + rng.geometric(0.18, n)
    years_in = np.where(kind == 0, start_g, 0)[:, None] + (t_idx - start_t[:, None])
    el = el0[:, None] & (years_in < el_years[:, None])

    # ---- model participation
    adopt = np.where(school >= 0, plan.s_adopt[np.maximum(school, 0), t_idx], -1)
    mi = np.maximum(adopt, 0)
    in_span = (grade >= plan.m_low[mi]) & (grade <= plan.m_high[mi])
    whole = plan.m_math[mi] & plan.m_ela[mi]
    takes = whole | (rng.random(n)[:, None] < plan.s_share[np.maximum(school, 0)])
    model = np.where((adopt >= 0) & in_span & takes & active, adopt, -1)

    # ---- attendance propensity
    student_re = rng.normal(0, 0.75, n)
    logit_a = (-3.65 + student_re[:, None] + plan.s_absence[np.maximum(school, 0)]
               + 0.55 * econ + 0.3 * disability + 0.35 * (grade >= 9) + 0.15 * (grade == 0)
               + rng.normal(0, 0.3, (n, n_t)))
    absent_rate = 1 / (1 + np.exp(-logit_a))
    far_below = rng.random(n) < 0.05
    return _Students(
        key=key, district=district, race=race, gender=gender, active=active, grade=grade,
        school=school, f_in=f_in, f_out=f_out, exited=exited, transfer=transfer,
        f_transfer=f_transfer, econ=econ & active, disability=disability & active,
        el=el & active, model=model, absent_rate=absent_rate, far_below=far_below,
        retained=retained,
    )


# --------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------


def _scores(rng: np.random.Generator, plan: _Plan, st: _Students) -> dict[str, np.ndarray]:
    """Scale scores (N x years, NaN where not tested) per subject.

    Each student has a latent status per subject in standard-deviation units relative to the
    grade's mean; it starts from an ability shared across subjects (correlation about 0.75) with
    subgroup gaps and a 5% group far below grade level, and moves each year by the student's
    own persistent slope, the school's growth effect, the model's effect and noise.
    """
    n, n_t = st.active.shape
    rows = np.arange(n)
    first = np.argmax(st.active, axis=1)
    econ0 = st.econ[rows, first]
    dis0 = st.disability[rows, first]
    el0 = st.el[rows, first]
    common = np.where(st.far_below, rng.normal(-2.3, 0.45, n), rng.normal(0.05, 0.85, n))
    slope_common = rng.normal(0.0, 0.03, n)
    absent = st.absent_rate > 0.1
    out: dict[str, np.ndarray] = {}
    school_growth = np.append(plan.s_growth, 0.0)
    effect = np.append(plan.m_effect, 0.0)
    for subject in SUBJECT_CODES:
        math_ = subject == "math"
        in_subject = np.append(plan.m_math if math_ else plan.m_ela, False)
        gap = -0.35 * econ0 - 0.5 * dis0 - (0.3 if math_ else 0.55) * el0
        level = common + rng.normal(0.0, 0.5, n) + gap
        level = (level - level.mean()) / level.std()
        slope = slope_common + rng.normal(0.0, 0.03, n)
        gap_growth = -0.02 * econ0 - 0.03 * dis0 + 0.02 * el0
        status = np.empty((n, n_t))
        cur = level
        for t in range(n_t):
            if t:
                both = st.active[:, t] & st.active[:, t - 1]
                model = st.model[:, t]
                step = (
                    -0.015 * cur + slope + gap_growth + school_growth[st.school[:, t]]
                    + np.where(in_subject[model], effect[model], 0.0)
                    + 0.45 * st.retained[:, t] + rng.normal(0.0, 0.12, n)
                )
                cur = np.where(both, cur + step, cur)
            status[:, t] = cur
        grade = st.grade
        mean = np.array([grade_mean(subject, g) for g in range(13)])[grade]
        sd = np.array([grade_sd(subject, g) for g in range(13)])[grade]
        score = np.rint(mean + sd * (status + rng.normal(0.0, 0.3, (n, n_t))))
        loss = np.zeros(13)
        hoss = np.zeros(13)
        for g in TESTED_GRADES:
            loss[g], hoss[g] = LOSS_HOSS[subject][g]
        score = np.clip(score, loss[grade], hoss[grade])
        tested = np.isin(grade, TESTED_GRADES) & st.active
        tested &= (st.f_in <= TEST_WINDOW) & (st.f_out >= TEST_WINDOW)
        missing = rng.random((n, n_t)) < 0.012 + 0.05 * absent + 0.02 * st.disability
        out[subject] = np.where(tested & ~missing, score, np.nan)
    return out


def _levels(subject: str, grade: np.ndarray, score: np.ndarray) -> np.ndarray:
    cuts = np.zeros((13, 3))
    for g in TESTED_GRADES:
        cuts[g] = CUT_SCORES[subject][g]
    c = cuts[grade]
    return 1 + (score[:, None] >= c).sum(axis=1)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


@dataclass
class _Rows:
    """Enrollment spells: one per student, school and year (two for a mid-year transfer)."""

    i: np.ndarray
    t: np.ndarray
    school: np.ndarray
    f_in: np.ndarray
    f_out: np.ndarray
    has_exit: np.ndarray


def _spells(st: _Students) -> _Rows:
    t_main, i_main = np.nonzero(st.active.T)
    tr = st.transfer[i_main, t_main]
    moved = tr >= 0
    f_in = np.where(moved, st.f_transfer[i_main, t_main], st.f_in[i_main, t_main])
    main = (i_main, t_main, st.school[i_main, t_main], f_in, st.f_out[i_main, t_main],
            st.exited[i_main, t_main])
    i_x, t_x = i_main[moved], t_main[moved]
    extra = (i_x, t_x, tr[moved], np.zeros(len(i_x)), st.f_transfer[i_x, t_x],
             np.ones(len(i_x), bool))
    parts = [np.concatenate([a, b]) for a, b in zip(main, extra, strict=True)]
    order = np.lexsort((np.concatenate([np.ones(len(i_main)), np.zeros(len(i_x))]), parts[0],
                        parts[1]))
    i, t, school, f_a, f_b, ex = (p[order] for p in parts)
    return _Rows(i=i, t=t, school=school.astype(np.int64), f_in=f_a, f_out=f_b,
                 has_exit=ex.astype(bool))


class _Writer:
    """Writes the CSV files and keeps their sizes."""

    def __init__(self, plan: _Plan, st: _Students, workdir: Path) -> None:
        self.plan = plan
        self.st = st
        self.workdir = workdir
        self.school_ids = pa.array(plan.s_nces, pa.string())
        self.years = np.array(YEARS)
        self.paths: dict[str, Path] = {}
        self.rows: dict[str, int] = {}
        self.bytes: dict[str, int] = {}

    def write(self, kind: str, columns: dict[str, pa.Array | np.ndarray]) -> None:
        table = pa.table({k: (v if isinstance(v, pa.Array) else pa.array(v))
                          for k, v in columns.items()})
        path = self.workdir / f"{kind}.csv"
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(
            quoting_style="none", batch_size=1 << 16))
        self.paths[kind] = path
        self.rows[kind] = table.num_rows
        self.bytes[kind] = path.stat().st_size

    def keys(self, i: np.ndarray) -> pa.Array:
        return self.st.key.take(pa.array(i))

    def schools(self, s: np.ndarray) -> pa.Array:
        return self.school_ids.take(pa.array(s))

    def dates(self, rows_i: np.ndarray, rows_t: np.ndarray, frac: np.ndarray,
              mask: np.ndarray | None = None) -> pa.Array:
        d = self.st.district[rows_i]
        first = self.plan.d_first_day[d, rows_t]
        span = np.rint(self.plan.d_days[d] * 1.6)
        return _date_strings(_fraction_dates(first, span, frac), mask)


@dataclass
class _Written:
    paths: dict[str, Path]
    rows: dict[str, int]
    bytes: dict[str, int]
    educators: int


def _write_all(rng: np.random.Generator, plan: _Plan, st: _Students, workdir: Path) -> _Written:
    """Write the seven CSV files into ``workdir``."""
    w = _Writer(plan, st, workdir)
    years = np.array(YEARS)
    r_score, r_att, r_disc, r_roster = rng.spawn(4)

    # ---- enrollment
    sp = _spells(st)
    entry = w.dates(sp.i, sp.t, sp.f_in)
    exit_ = w.dates(sp.i, sp.t, sp.f_out, sp.has_exit)
    w.write("enrollment", {
        "student_key": w.keys(sp.i), "school_year": years[sp.t], "school_id": w.schools(sp.school),
        "grade": st.grade[sp.i, sp.t], "entry_date": entry, "exit_date": exit_,
    })
    del entry, exit_

    # ---- demographics
    t_a, i_a = np.nonzero(st.active.T)
    w.write("demographics", {
        "student_key": w.keys(i_a), "school_year": years[t_a],
        "race_ethnicity": pa.array(np.array(RACE_CODES)[st.race[i_a]]),
        "gender": pa.array(np.array(["F", "M", "X"])[st.gender[i_a]]),
        "econ_disadvantaged": st.econ[i_a, t_a], "disability": st.disability[i_a, t_a],
        "english_learner": st.el[i_a, t_a],
    })

    # ---- assessments
    scores = _scores(r_score, plan, st)
    parts: dict[str, list[Any]] = {k: [] for k in (
        "i", "t", "subject", "score", "level")}
    for subject in SUBJECT_CODES:
        t_s, i_s = np.nonzero(~np.isnan(scores[subject].T))
        sc = scores[subject][i_s, t_s]
        parts["i"].append(i_s)
        parts["t"].append(t_s)
        parts["subject"].append(np.full(len(i_s), subject))
        parts["score"].append(sc.astype(np.int64))
        parts["level"].append(_levels(subject, st.grade[i_s, t_s], sc))
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((cat["i"], cat["subject"], cat["t"]))
    cat = {k: v[order] for k, v in cat.items()}
    n_rows = len(order)
    w.write("assessments", {
        "student_key": w.keys(cat["i"]), "school_year": years[cat["t"]],
        "school_id": w.schools(st.school[cat["i"], cat["t"]]), "subject": pa.array(cat["subject"]),
        "grade": st.grade[cat["i"], cat["t"]],
        "assessment": pa.array(np.full(n_rows, "summative")),
        "window": pa.array(np.full(n_rows, "spring")),
        "scale_score": cat["score"], "achievement_level": cat["level"],
    })
    del scores, cat, parts

    # ---- attendance
    d = st.district[sp.i]
    enrolled = np.maximum(1, np.rint(plan.d_days[d] * (sp.f_out - sp.f_in))).astype(np.int64)
    absent = r_att.binomial(enrolled, st.absent_rate[sp.i, sp.t])
    w.write("attendance", {
        "student_key": w.keys(sp.i), "school_year": years[sp.t], "school_id": w.schools(sp.school),
        "days_enrolled": enrolled, "days_present": enrolled - absent,
    })

    # ---- discipline
    n = plan.n_students
    propensity = r_disc.gamma(0.4, 1 / 0.4, n)
    grade = st.grade[sp.i, sp.t]
    factor = np.select([grade <= 2, grade <= 5, grade <= 8], [0.3, 0.6, 1.6], 1.3)
    lam = (factor * np.exp(plan.s_discipline[sp.school]) * propensity[sp.i]
           * np.where(st.disability[sp.i, sp.t], 1.3, 1.0)
           * np.where(st.econ[sp.i, sp.t], 1.2, 1.0) * (enrolled / plan.d_days[d]))
    lam *= 0.08 * st.active.sum() / lam.sum()
    count = r_disc.poisson(lam)
    k = np.repeat(np.arange(len(count)), count)
    band = _band(grade[k])
    itype = _categorical(r_disc, _TYPE_BY_BAND, band)
    action = _categorical(r_disc, _ACTION_BY_TYPE, itype)
    removed = np.select(
        [action == 0, action == 1, action == 2, action == 3],
        [np.zeros(len(k)), r_disc.choice([0.5, 1.0, 1.0, 2.0, 3.0], len(k)),
         np.minimum(1 + r_disc.poisson(2.0, len(k)), 10).astype(np.float64),
         r_disc.choice([45.0, 90.0, 180.0], len(k))],
        r_disc.choice([0.0, 1.0, 3.0], len(k)),
    )
    frac = sp.f_in[k] + r_disc.random(len(k)) * (sp.f_out[k] - sp.f_in[k])
    # incident numbers within each school and year, in date order
    order = np.lexsort((sp.i[k], frac, sp.t[k], sp.school[k]))
    k, itype, action, removed, frac = k[order], itype[order], action[order], removed[order], \
        frac[order]
    grp = sp.school[k] * len(YEARS) + sp.t[k]
    starts = np.r_[0, np.flatnonzero(np.diff(grp)) + 1]
    seq = np.arange(len(k)) - np.repeat(starts, np.diff(np.r_[starts, len(k)])) + 1
    incident = pc.binary_join_element_wise(
        w.schools(sp.school[k]), pa.array(years[sp.t[k]]).cast(pa.string()),
        _padded("", seq, 4), "-")
    order = np.lexsort((sp.i[k], sp.t[k]))
    w.write("discipline", {
        "incident_id": incident.take(pa.array(order)), "student_key": w.keys(sp.i[k][order]),
        "school_year": years[sp.t[k][order]], "school_id": w.schools(sp.school[k][order]),
        "incident_date": w.dates(sp.i[k][order], sp.t[k][order], frac[order]),
        "incident_type": pa.array(np.array(_INCIDENT_TYPES)[itype[order]]),
        "action": pa.array(np.array(_ACTIONS)[action[order]]),
        "days_removed": removed[order],
    })
    del sp, k

    # ---- rosters
    educators = _write_rosters(r_roster, plan, st, w)

    # ---- model participation
    t_m, i_m = np.nonzero((st.model >= 0).T)
    m = st.model[i_m, t_m]
    codes = np.array([x["code"] for x in plan.models])
    m_subject = np.where(plan.m_math[m] & plan.m_ela[m], "",
                         np.where(plan.m_math[m], "math", "ela"))
    w.write("model_participation", {
        "student_key": w.keys(i_m), "school_year": years[t_m],
        "school_id": w.schools(st.school[i_m, t_m]), "model_id": pa.array(codes[m]),
        "subject": pa.array(m_subject, mask=m_subject == ""),
    })
    return _Written(paths=w.paths, rows=w.rows, bytes=w.bytes, educators=educators)


def _write_rosters(rng: np.random.Generator, plan: _Plan, st: _Students, w: _Writer) -> int:
    """Educator-student links with minutes, for grades 3-8; returns the number of educators."""
    n_t = len(YEARS)
    years = np.array(YEARS)
    t_r, i_r = np.nonzero((st.active & (st.grade >= 3) & (st.grade <= 8)).T)
    school = st.school[i_r, t_r]
    grade = st.grade[i_r, t_r]
    n = len(i_r)
    cell = (school * n_t + t_r) * 13 + grade
    size = np.bincount(cell, minlength=len(plan.s_nces) * n_t * 13)
    sections = np.minimum(np.ceil(size / 24.0), 63).astype(np.int64)[cell]
    dept = grade >= 6  # departmentalized from grade 6
    adopting = plan.s_adopt[school, t_r] >= 0
    coteach_school = adopting | plan.s_coteach[school]
    dis = st.disability[i_r, t_r]
    el = st.el[i_r, t_r]
    behind = st.far_below[i_r]
    out: dict[str, list[Any]] = {k: [] for k in ("row", "code", "section", "subject", "minutes")}
    year_str = pa.array(years[t_r]).cast(pa.string())

    def add(rows: np.ndarray, role: int | np.ndarray, g: np.ndarray, j: np.ndarray, subject: str,
            tag: str, minutes: np.ndarray) -> None:
        """Links for ``rows``: educator slot (school, role, grade, j) and section tag+j."""
        out["row"].append(rows)
        out["code"].append(((school[rows] * 8 + role) * 16 + g) * 64 + j)
        out["section"].append(pc.binary_join_element_wise(
            year_str.take(pa.array(rows)), pa.scalar(subject.upper()),
            pc.binary_join_element_wise(pa.scalar(tag), _padded("", j + 1, 2), ""), "-"))
        out["subject"].append(np.full(len(rows), subject))
        out["minutes"].append(minutes)

    homeroom = np.minimum((rng.random(n) * sections).astype(np.int64), 62)
    total = {"math": np.where(dept, 250, 300), "ela": np.where(dept, 250, 450)}
    every = np.arange(n)
    for s_idx, subject in enumerate(SUBJECT_CODES):
        # elementary classes keep their homeroom teacher for both subjects; from grade 6 each
        # subject has its own sections, five to a teacher
        k = np.where(dept, np.minimum((rng.random(n) * sections).astype(np.int64), 62), homeroom)
        role = np.where(dept, 1 + s_idx, 0)
        teacher_j = np.where(dept, k // 5, k)
        second = coteach_school & (rng.random(n) < 0.3 + 0.35 * (dis | behind))
        third = second & (rng.random(n) < np.where(el & (subject == "ela"), 0.7, 0.2))
        base = total[subject]
        share1 = np.where(third, rng.uniform(0.55, 0.7, n),
                          np.where(second, rng.uniform(0.6, 0.8, n), 1.0))
        m1 = np.maximum(5, 5 * np.rint(base * share1 / 5)).astype(np.int64)
        rest = base - m1
        m3 = np.where(third, np.maximum(5, 5 * np.rint(rest * 0.4 / 5)), 0).astype(np.int64)
        m2 = (rest - m3).astype(np.int64)
        out["row"].append(every)
        out["code"].append(((school * 8 + role) * 16 + grade) * 64 + teacher_j)
        out["section"].append(pc.binary_join_element_wise(
            year_str, pa.scalar(subject.upper()), _padded("G", grade, 2),
            _padded("", k + 1, 2), "-"))
        out["subject"].append(np.full(n, subject))
        out["minutes"].append(m1)
        # a co-teacher or interventionist (two per band and subject in a school)
        sub = np.flatnonzero(second)
        j2 = (rng.random(len(sub)) * 2).astype(np.int64) + np.where(dept[sub], 8, 0)
        add(sub, 3 + s_idx, np.full(len(sub), 14), j2, subject, "I", m2[sub])
        # a third educator: an EL specialist in ELA, a special educator in math
        sub3 = np.flatnonzero(third)
        j3 = (rng.random(len(sub3)) * 2).astype(np.int64)
        add(sub3, 5 + s_idx, np.full(len(sub3), 15), j3, subject,
            "EL" if subject == "ela" else "SP", m3[sub3])
    row = np.concatenate(out["row"])
    code = np.concatenate(out["code"])
    section = pa.concat_arrays(out["section"])
    subject_arr = np.concatenate(out["subject"])
    minutes = np.concatenate(out["minutes"])
    # educators stay in their slot from year to year, with ~10% turnover a year
    t_row = t_r[row]
    generation = np.zeros(len(row), np.int64)
    seed_mix = np.uint64(int(rng.integers(0, 2**62)))
    for tt in range(1, n_t):
        h = _unit(code.astype(np.uint64) * np.uint64(1_000_003) + np.uint64(tt) + seed_mix)
        generation += (t_row >= tt) & (h < 0.10)
    number = code * 8 + generation
    a, b = _affine(rng, 10**9)
    number = (number % 10**9 * a + b) % 10**9
    order = np.lexsort((row, t_row))
    educator = _padded("E", number[order], 9)
    w.write("rosters", {
        "educator_id": educator, "student_key": w.keys(i_r[row[order]]),
        "school_year": years[t_row[order]], "school_id": w.schools(school[row[order]]),
        "section_id": section.take(pa.array(order)), "subject": pa.array(subject_arr[order]),
        "minutes": minutes[order],
    })
    return len(np.unique(number))


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


def _chunks(values: Sequence[Any], size: int = 900) -> list[Sequence[Any]]:
    return [values[k: k + size] for k in range(0, len(values), size)]


def _upsert(model: Any, key: str, specs: list[dict[str, Any]], now: Any) -> dict[Any, Any]:
    """Create or update ``model`` rows matched on ``key``; returns key -> instance."""
    keys = [s[key] for s in specs]
    existing: dict[Any, Any] = {}
    for chunk in _chunks(keys):
        existing.update({getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": chunk})})
    create, update = [], []
    changed_fields: set[str] = set()
    for spec in specs:
        obj = existing.get(spec[key])
        if obj is None:
            obj = model(**spec)
            create.append(obj)
            existing[spec[key]] = obj
            continue
        changed = [f for f, v in spec.items() if getattr(obj, f) != v]
        if changed:
            for f in changed:
                setattr(obj, f, spec[f])
            changed_fields.update(changed)
            update.append(obj)
    model.objects.bulk_create(create, batch_size=500)
    if update:
        if hasattr(model, "updated_at"):
            for obj in update:
                obj.updated_at = now
            changed_fields.add("updated_at")
        model.objects.bulk_update(update, sorted(changed_fields), batch_size=500)
    return existing


def _share(value: float) -> Any:
    from decimal import Decimal

    return Decimal(f"{min(max(value, 0.0), 1.0):.3f}")


def _save_registry(plan: _Plan, st: _Students) -> dict[str, int]:
    """Write the registry in one transaction, reusing organizations that are already there."""
    from django.db import transaction
    from django.utils import timezone

    from playbook.organizations.models import (
        ConsortiumMembership,
        LearningModel,
        ModelAdoption,
        Organization,
        OrgKind,
    )

    n_d = len(plan.d_leaid)
    n_s = len(plan.s_nces)
    last = len(YEARS) - 1
    act = st.active[:, last]
    d_enr = np.bincount(st.district[act], minlength=n_d)
    d_econ = np.bincount(st.district[act], weights=st.econ[act, last], minlength=n_d)
    s_enr = np.bincount(st.school[act, last], minlength=n_s)
    s_econ = np.bincount(st.school[act, last], weights=st.econ[act, last], minlength=n_s)
    now = timezone.now()
    with transaction.atomic():
        sea = Organization.objects.filter(code=SEA_CODE).first()
        if sea is None:
            Organization.objects.create(kind=OrgKind.STATE_AGENCY, code=SEA_CODE, name=SEA_NAME)
        districts = _upsert(Organization, "nces_id", [
            {"nces_id": plan.d_leaid[d], "kind": OrgKind.DISTRICT, "name": plan.d_name[d],
             "locale": plan.d_locale[d], "enrollment": int(d_enr[d]),
             "econ_disadvantaged_share": _share(d_econ[d] / d_enr[d]) if d_enr[d] else None,
             "city": plan.d_place[d], "parent_id": None, "active": True}
            for d in range(n_d)
        ], now)
        d_pk = [districts[x].pk for x in plan.d_leaid]
        schools = _upsert(Organization, "nces_id", [
            {"nces_id": plan.s_nces[s], "kind": OrgKind.SCHOOL, "name": plan.s_name[s],
             "parent_id": d_pk[plan.s_district[s]],
             "locale": plan.d_locale[plan.s_district[s]], "school_type": plan.s_type[s],
             "grade_low": int(plan.s_low[s]), "grade_high": int(plan.s_high[s]),
             "enrollment": int(s_enr[s]),
             "econ_disadvantaged_share": _share(s_econ[s] / s_enr[s]) if s_enr[s] else None,
             "city": plan.d_place[plan.s_district[s]], "active": True}
            for s in range(n_s)
        ], now)
        s_pk = [schools[x].pk for x in plan.s_nces]
        current = set(plan.d_leaid) | set(plan.s_nces)
        stale = Organization.objects.filter(
            kind__in=[OrgKind.DISTRICT, OrgKind.SCHOOL], nces_id__startswith=STATE_FIPS,
            active=True,
        ).values_list("pk", "nces_id")
        stale_pks = [pk for pk, nces in stale if nces not in current]
        for chunk in _chunks(stale_pks):
            Organization.objects.filter(pk__in=chunk).update(active=False, updated_at=now)
        providers = _upsert(Organization, "code", [
            {"code": p["code"], "kind": OrgKind.PROVIDER, "name": p["name"],
             "provider_type": p["type"], "website": p["website"], "parent_id": None,
             "active": True}
            for p in plan.providers
        ], now)
        p_pk = [providers[p["code"]].pk for p in plan.providers]
        models = _upsert(LearningModel, "code", [
            {"code": m["code"], "name": m["name"],
             "provider_id": None if m["provider"] is None else p_pk[m["provider"]],
             "home_district_id": None if m["home_district"] is None else d_pk[m["home_district"]],
             "scope": m["scope"], "subjects": m["subjects"], "grade_low": m["low"],
             "grade_high": m["high"],
             "description": (
                 f"{'Whole-school' if m['scope'] == 'whole_school' else m['subjects'].upper()} "
                 f"model for grades {'K' if m['low'] == 0 else m['low']}-{m['high']}"
                 + (" (homegrown)" if m["home_district"] is not None else "") + "."
             )}
            for m in plan.models
        ], now)
        m_pk = [models[m["code"]].pk for m in plan.models]
        consortia = _upsert(Organization, "code", [
            {"code": c["code"], "kind": OrgKind.CONSORTIUM, "name": c["name"], "locale": "42",
             "parent_id": None, "active": True}
            for c in plan.consortia
        ], now)
        from datetime import date

        for c in plan.consortia:
            org = consortia[c["code"]]
            want = {
                (d_pk[d], "lead" if k == 0 else "member", date(year, 7, 1))
                for k, (d, year) in enumerate(zip(c["members"], c["joined"], strict=True))
            }
            have = set(ConsortiumMembership.objects.filter(consortium=org).values_list(
                "member_id", "role", "joined_on"))
            if have != want:
                ConsortiumMembership.objects.filter(consortium=org).delete()
                ConsortiumMembership.objects.bulk_create([
                    ConsortiumMembership(consortium=org, member_id=m, role=r, joined_on=j)
                    for m, r, j in sorted(want, key=lambda x: (x[1] != "lead", x[0]))
                ])
        want_adopt = {
            (s_pk[s], m_pk[int(plan.s_adopt[s, t])], YEARS[t])
            for s, t in zip(*np.nonzero(plan.s_adopt >= 0), strict=True)
        }
        have_adopt: dict[tuple[int, int, int], int] = {}
        for chunk in _chunks(s_pk):
            for pk, sc, mo, yr in ModelAdoption.objects.filter(school_id__in=chunk).values_list(
                "pk", "school_id", "model_id", "school_year"
            ):
                have_adopt[(sc, mo, yr)] = pk
        drop = [pk for k, pk in have_adopt.items() if k not in want_adopt]
        for chunk in _chunks(drop):
            ModelAdoption.objects.filter(pk__in=chunk).delete()
        ModelAdoption.objects.bulk_create([
            ModelAdoption(school_id=s, model_id=m, school_year=y)
            for s, m, y in sorted(want_adopt - set(have_adopt))
        ], batch_size=500)
    return {"districts": n_d, "schools": n_s, "providers": len(plan.providers),
            "models": len(plan.models), "consortia": len(plan.consortia),
            "adoptions": len(want_adopt)}


# --------------------------------------------------------------------------------------------
# The service and the command
# --------------------------------------------------------------------------------------------


def _peak_rss_mib() -> float:
    try:
        import resource
    except ImportError:  # not on Unix
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def synth_build(*, students: int, seed: int, workdir: Path | None = None) -> SynthReport:
    """Build the synthetic state: registry, then one snapshot of all seven kinds.

    ``workdir``: where to write (and keep) the CSV files; by default a temporary folder that is
    removed afterwards. The snapshot replaces every school year it covers and supersedes the
    current snapshot (``replace_all``), so the lake holds this state only.
    """
    if students < MIN_STUDENTS:
        raise ValueError(f"a synthetic state needs at least {MIN_STUDENTS} students")
    if seed < 0:
        raise ValueError("the seed must be zero or positive")
    report = SynthReport(students=students, seed=seed)
    mark = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        report.seconds[phase] = round(now - mark, 3)
        report.peak_rss_mib[phase] = _peak_rss_mib()
        mark = now

    r_plan, r_students, r_tables = (
        np.random.default_rng(s) for s in np.random.SeedSequence([seed, students]).spawn(3)
    )
    plan = _plan(r_plan, students)
    lap("plan")
    st = _students(r_students, plan)
    lap("students")
    counts = _save_registry(plan, st)
    for k, v in counts.items():
        setattr(report, k, v)
    lap("registry")
    folder = Path(workdir) if workdir is not None else Path(
        tempfile.mkdtemp(prefix="playbook-synth-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        written = _write_all(r_tables, plan, st, folder)
        del st
        report.rows = written.rows
        report.csv_bytes = written.bytes
        report.educators = written.educators
        lap("csv")
        from .selectors import snapshot_paths
        from .services import ImportItem, snapshot_import

        snapshot = snapshot_import(
            items=[ImportItem(kind, written.paths[kind]) for kind in KIND_ORDER],
            by=None, via="synth", note=f"synth students={students} seed={seed}",
            replace_all=True,
        )
        lap("import")
    finally:
        if workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
    report.snapshot_id = snapshot.pk
    report.parquet_bytes = {
        kind: path.stat().st_size for kind, path in snapshot_paths(snapshot=snapshot).items()
        if kind in report.rows
    }
    return report


def _migrate_if_needed() -> bool:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def configure(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """Arguments of ``playbook synth``; returns the runner."""
    parser.add_argument("--students", type=int, default=50_000,
                        help="distinct students over the six school years (default 50000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--keep-csv", type=Path, metavar="DIR",
                        help="write the CSV files to DIR and keep them")
    parser.add_argument("--no-migrate", action="store_true",
                        help="do not apply pending database migrations first")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--cutscores", action="store_true",
                        help="print the cut scores (SGP DEMO format) and exit")

    def run(ns: argparse.Namespace) -> int:
        if ns.cutscores:
            print(cutscores_json())
            return 0
        if ns.students < MIN_STUDENTS or ns.seed < 0:
            print(f"playbook synth: --students must be at least {MIN_STUDENTS} and --seed "
                  "zero or positive", file=sys.stderr)
            return 2
        from playbook.cli import setup_django

        setup_django()
        started = time.perf_counter()
        migrated = False if ns.no_migrate else _migrate_if_needed()
        migrate_s = time.perf_counter() - started
        report = synth_build(students=ns.students, seed=ns.seed, workdir=ns.keep_csv)
        if migrated:
            report.seconds = {"migrate": round(migrate_s, 3), **report.seconds}
        print(json.dumps(report.as_dict(), indent=2) if ns.json else report.summary())
        return 0

    return run
