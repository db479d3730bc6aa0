"""A small generated lake (the seven kinds of ``schemas.py``) with its entities and growth.

Deterministic for a seed. Small schools and rare race groups, so suppression has work to do;
a few students change school mid-year; two districts form a consortium; two provider models
and one homegrown model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RACES = ["HI", "AM", "AS", "BL", "PI", "WH", "MU"]
RACE_P = [0.25, 0.02, 0.06, 0.12, 0.01, 0.5, 0.04]


@dataclass
class Lake:
    paths: dict[str, Path]
    entities: pa.Table
    growth: pa.Table


def make_lake(root: Path, *, seed: int = 0, students: int = 600, years: tuple[int, ...] = (
        2022, 2023, 2024), districts: int = 2, schools_per_district: int = 3,
              missing_demographics: int = 0) -> Lake:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    leaids = [f"59{1000 + 7 * d:05d}" for d in range(districts)]
    schools = [f"{lea}{s + 1:05d}" for lea in leaids for s in range(schools_per_district)]
    n_s = len(schools)
    # unequal school sizes: some very small
    w = rng.uniform(0.2, 1.0, n_s)
    w[rng.integers(0, n_s)] = 0.04
    home = rng.choice(n_s, size=students, p=w / w.sum())
    grade0 = rng.integers(2, 11, size=students)
    ability = rng.normal(0, 1, size=students)
    race = rng.choice(len(RACES), size=students, p=RACE_P)
    econ = rng.random(students) < 0.45
    dis = rng.random(students) < 0.13
    el = rng.random(students) < 0.1
    keys = np.array([f"S{seed:03d}{i:06d}" for i in range(students)])

    enr: dict[str, list[object]] = {k: [] for k in ("student_key", "school_year", "school_id",
                                                    "grade", "entry_date", "exit_date")}
    dem: dict[str, list[object]] = {k: [] for k in ("student_key", "school_year",
                                                    "race_ethnicity", "gender",
                                                    "econ_disadvantaged", "disability",
                                                    "english_learner")}
    asm: dict[str, list[object]] = {k: [] for k in ("student_key", "school_year", "school_id",
                                                    "subject", "grade", "assessment", "window",
                                                    "scale_score", "achievement_level")}
    att: dict[str, list[object]] = {k: [] for k in ("student_key", "school_year", "school_id",
                                                    "days_enrolled", "days_present")}
    dis_rows: dict[str, list[object]] = {k: [] for k in (
        "incident_id", "student_key", "school_year", "school_id", "incident_date",
        "incident_type", "action", "days_removed")}
    mp: dict[str, list[object]] = {k: [] for k in ("student_key", "school_year", "school_id",
                                                   "model_id", "subject")}
    growth: dict[str, list[object]] = {k: [] for k in ("student_key", "school_year", "subject",
                                                       "sgp", "adequate_growth")}
    import datetime as dt

    no_demo = set(rng.choice(students, size=missing_demographics, replace=False).tolist()) \
        if missing_demographics else set()
    prev_level: dict[tuple[int, str], int] = {}
    incident = 0
    for t, year in enumerate(years):
        for i in range(students):
            grade = int(grade0[i] + t)
            if grade > 12:
                continue
            school = int(home[i])
            spells: list[tuple[int, dt.date, dt.date | None]] = [
                (school, dt.date(year - 1, 8, 20), None)]
            if rng.random() < 0.03:  # moves mid-year to another school
                other = int(rng.integers(0, n_s))
                if other != school:
                    spells = [(school, dt.date(year - 1, 8, 20), dt.date(year, 1, 10)),
                              (other, dt.date(year, 1, 11), None)]
            for s, entry, exit_ in spells:
                enr["student_key"].append(keys[i])
                enr["school_year"].append(year)
                enr["school_id"].append(schools[s])
                enr["grade"].append(grade)
                enr["entry_date"].append(entry)
                enr["exit_date"].append(exit_)
                days = 180 if exit_ is None and len(spells) == 1 else 90
                absent_rate = max(0.0, rng.normal(0.06 + 0.04 * econ[i], 0.05))
                present = round(days * (1 - min(absent_rate, 0.6)))
                att["student_key"].append(keys[i])
                att["school_year"].append(year)
                att["school_id"].append(schools[s])
                att["days_enrolled"].append(days)
                att["days_present"].append(present)
                if rng.random() < 0.05:
                    incident += 1
                    dis_rows["incident_id"].append(f"I{incident:07d}")
                    dis_rows["student_key"].append(keys[i])
                    dis_rows["school_year"].append(year)
                    dis_rows["school_id"].append(schools[s])
                    dis_rows["incident_date"].append(dt.date(year, 2, 1))
                    dis_rows["incident_type"].append("fighting")
                    action = ["out_of_school_suspension", "in_school_suspension", "none"][
                        int(rng.integers(0, 3))]
                    dis_rows["action"].append(action)
                    dis_rows["days_removed"].append(2.0 if action != "none" else 0.0)
            final_school = schools[spells[-1][0]]
            if i not in no_demo:
                dem["student_key"].append(keys[i])
                dem["school_year"].append(year)
                dem["race_ethnicity"].append(RACES[race[i]])
                dem["gender"].append("F" if i % 2 else "M")
                dem["econ_disadvantaged"].append(bool(econ[i]))
                dem["disability"].append(bool(dis[i]))
                dem["english_learner"].append(bool(el[i] and grade < 9))
            if grade in (3, 4, 5, 6, 7, 8, 11):
                for subj in ("ela", "math"):
                    score = 400 + 20 * grade + 30 * ability[i] + rng.normal(0, 15)
                    z = (score - 400 - 20 * grade) / 33
                    level = int(np.clip(np.digitize(z, [-0.9, -0.1, 0.8]) + 1, 1, 4))
                    if rng.random() < 0.02:
                        continue  # not tested
                    asm["student_key"].append(keys[i])
                    asm["school_year"].append(year)
                    asm["school_id"].append(final_school)
                    asm["subject"].append(subj)
                    asm["grade"].append(grade)
                    asm["assessment"].append("summative")
                    asm["window"].append("spring")
                    asm["scale_score"].append(float(round(score)))
                    asm["achievement_level"].append(level)
                    if rng.random() < 0.3:  # an interim test: never counted
                        asm["student_key"].append(keys[i])
                        asm["school_year"].append(year)
                        asm["school_id"].append(final_school)
                        asm["subject"].append(subj)
                        asm["grade"].append(grade)
                        asm["assessment"].append("interim")
                        asm["window"].append("fall")
                        asm["scale_score"].append(float(round(score - 10)))
                        asm["achievement_level"].append(1)
                    if (i, subj) in prev_level and rng.random() < 0.97:
                        growth["student_key"].append(keys[i])
                        growth["school_year"].append(year)
                        growth["subject"].append(subj)
                        sgp = int(np.clip(round(50 + 25 * rng.normal() + 8 * (s % 3)), 1, 99))
                        growth["sgp"].append(float(sgp))
                        growth["adequate_growth"].append(bool(sgp >= 50 or level >= 3))
                    prev_level[(i, subj)] = level
            # models: school 0 uses model m-a (provider p1, ELA) from the second year; school 1
            # uses m-b (p1, whole school); school n_s-1 uses homegrown m-c
            s_home = int(home[i])
            if s_home == 0 and t >= 1 and rng.random() < 0.7:
                mp["student_key"].append(keys[i])
                mp["school_year"].append(year)
                mp["school_id"].append(schools[0])
                mp["model_id"].append("m-a")
                mp["subject"].append("ela")
            if s_home in (0, 1) and rng.random() < 0.6:
                mp["student_key"].append(keys[i])
                mp["school_year"].append(year)
                mp["school_id"].append(schools[s_home])
                mp["model_id"].append("m-b")
                mp["subject"].append(None)
            if s_home == n_s - 1 and rng.random() < 0.8:
                mp["student_key"].append(keys[i])
                mp["school_year"].append(year)
                mp["school_id"].append(schools[-1])
                mp["model_id"].append("m-c")
                mp["subject"].append(None)

    def write(kind: str, cols: dict[str, list[object]], types: dict[str, pa.DataType]) -> Path:
        table = pa.table({k: pa.array(v, types.get(k)) for k, v in cols.items()})
        path = root / f"{kind}.parquet"
        pq.write_table(table, path)
        return path

    i32 = pa.int32()
    paths = {
        "enrollment": write("enrollment", enr, {"school_year": i32, "grade": i32}),
        "demographics": write("demographics", dem, {"school_year": i32}),
        "assessments": write("assessments", asm, {"school_year": i32, "grade": i32,
                                                  "achievement_level": i32}),
        "attendance": write("attendance", att, {"school_year": i32, "days_enrolled": i32,
                                                "days_present": i32}),
        "discipline": write("discipline", dis_rows, {"school_year": i32}),
        "model_participation": write("model_participation", mp, {"school_year": i32,
                                                                 "subject": pa.string()}),
    }
    ent_rows: list[dict[str, object]] = []
    for sid in schools:
        ent_rows.append({"entity_type": "school", "entity_id": sid, "school_id": sid,
                         "school_year": None, "model_id": None, "locale": "42"})
        ent_rows.append({"entity_type": "district", "entity_id": sid[:7], "school_id": sid,
                         "school_year": None, "model_id": None, "locale": "42"})
        # the consortium: all districts, the second one joined in the second year
        joined = None if sid[:7] == leaids[0] else years[min(1, len(years) - 1)]
        ent_rows.append({"entity_type": "consortium", "entity_id": "consortium-north",
                         "school_id": sid, "school_year": joined, "model_id": None,
                         "locale": "42"})
    adoptions = [("m-a", "p1", schools[0], years[min(1, len(years) - 1)]),
                 ("m-b", "p1", schools[0], years[0]), ("m-b", "p1", schools[1], years[0]),
                 ("m-c", None, schools[-1], years[0])]
    for model, provider, sid, year in adoptions:
        ent_rows.append({"entity_type": "model", "entity_id": model, "school_id": sid,
                         "school_year": year, "model_id": model, "locale": None})
        if provider:
            ent_rows.append({"entity_type": "provider", "entity_id": provider, "school_id": sid,
                             "school_year": year, "model_id": model, "locale": None})
    entities = pa.Table.from_pylist(ent_rows, schema=pa.schema([
        ("entity_type", pa.string()), ("entity_id", pa.string()), ("school_id", pa.string()),
        ("school_year", pa.int32()), ("model_id", pa.string()), ("locale", pa.string())]))
    growth_t = pa.table({
        "student_key": pa.array(growth["student_key"], pa.string()),
        "school_year": pa.array(growth["school_year"], pa.int32()),
        "subject": pa.array(growth["subject"], pa.string()),
        "sgp": pa.array(growth["sgp"], pa.float64()),
        "adequate_growth": pa.array(growth["adequate_growth"], pa.bool_()),
    })
    return Lake(paths=paths, entities=entities, growth=growth_t)
