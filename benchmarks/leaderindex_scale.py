"""Leader index at NHS scale: score + associate on 775,000 responses, 120,000 leaders.

    python benchmarks/leaderindex_scale.py [--responses N] [--leaders N] [--seed S]
                                           [--subprocess] [--keep DIR]

Generates a seeded analyst CSV (5-level unit paths Trust/Division/Directorate/Department/Team,
about 2 leaders per team, 3 % of leaders with respondents in two teams, 5 % of respondents
placed at department level) in a temporary directory, then runs `score` and `associate`
through the same functions the CLI uses (or, with --subprocess, the `clinlead` CLI itself) and
prints wall time, CPU time and peak memory per phase, beside a plain pandas + statsmodels
script in this process (read, index per response, leader and unit means, the two logistic
models). Target: score + associate <= 2.0 x that script (goal 1.0 x), <= 30 s and <= 4 GB on 2
cores. Prints the ratio of wall times (the target) and of CPU times, and the load average before
and after: on a machine shared with other work the wall times of both sides stretch, and not
alike, so the CPU ratio is printed beside the wall ratio.
Never asserts.

Figures (benchmarks/README.md has the history): 2026-12-04, load average 12-18 on 2 cores, the
code before and after the reading, scoring and report entries were made faster, in the same
hours: before 2.19 x and 2.70 x wall, 2.07 x and 2.03 x CPU (CPU: read 2.3-2.5 s, score
3.3-3.6 s, score JSON 0.6 s, associate 1.4-1.5 s); after 1.31-2.02 x wall, 1.49-1.80 x CPU (CPU:
read 2.1-2.3 s, score 2.1-2.4 s, score JSON 0.7 s, associate 1.1-1.4 s) against the baseline's
3.8-4.2 s CPU (read 1.1, means 1.0-1.2, models 1.5-1.9).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TRUSTS = 210
PROFESSIONS = ["Nurse", "Doctor", "AHP", "Healthcare assistant", "Admin", "Scientist"]
PROFESSION_P = [0.32, 0.12, 0.14, 0.2, 0.17, 0.05]
OR_BURNOUT = 0.93
OR_SATISFACTION = 1.11


def unit_paths(n_teams: int) -> list[str]:
    """n_teams 5-level paths, spread over TRUSTS trusts with mixed-radix branching."""
    per_trust = -(-n_teams // TRUSTS)
    paths = []
    for i in range(n_teams):
        t, j = divmod(i, per_trust)
        j, m = divmod(j, 3)
        j, p = divmod(j, 4)
        d, r = divmod(j, 4)
        paths.append(f"Trust {t:03d}/Division {d}/Directorate {r}/Department {p}/Team {m}")
    return paths


def generate(*, path: Path, responses: int, leaders: int, seed: int, cycle: str = "2024"):
    rng = np.random.default_rng(seed)
    n_teams = max(1, leaders // 2)
    teams = np.array(unit_paths(n_teams), dtype=object)
    departments = np.array([t.rpartition("/")[0] for t in teams], dtype=object)
    # Respondents per leader: overdispersed, mean responses / leaders; some get none.
    weights = rng.gamma(1.5, size=leaders)
    per_leader = rng.multinomial(responses, weights / weights.sum())
    leader = np.repeat(np.arange(leaders), per_leader)
    rng.shuffle(leader)
    home = np.minimum(leader // 2, n_teams - 1)
    team = home.copy()
    spans = rng.random(leaders) < 0.03  # these leaders' staff sit in two teams
    other = rng.random(len(leader)) < 0.5
    moved = spans[leader] & other
    team[moved] = np.where(home[moved] % 3 == 2, home[moved] - 1, home[moved] + 1) % n_teams
    unit = teams[team]
    at_department = rng.random(len(leader)) < 0.05
    unit[at_department] = departments[team[at_department]]
    quality = rng.normal(0, 1, size=leaders)
    latent = quality[leader][:, None] + rng.normal(0, 1.1, size=(len(leader), 12))
    items = np.clip(np.round(3.3 + 0.9 * latent), 1, 5).astype(np.int8)
    items[rng.random(items.shape) < 0.02] = 0
    answered = (items > 0).sum(axis=1)
    index = items.sum(axis=1) / np.maximum(answered, 1) * 12
    prof = rng.choice(len(PROFESSIONS), size=len(leader), p=PROFESSION_P)
    prof_effect = np.array([0.2, 0.3, -0.1, 0.0, -0.3, 0.1])[prof]
    centred = index - 40

    def answers(log_or, base, low, high, cutoff, top):
        p = 1 / (1 + np.exp(-(base + log_or * centred + prof_effect)))
        yes = rng.random(len(p)) < p
        out = np.where(yes, rng.integers(cutoff, top + 1, len(p)), rng.integers(1, cutoff, len(p)))
        out[rng.random(len(p)) < 0.01] = 0
        return out

    burnout = answers(np.log(OR_BURNOUT), -0.9, 1, 5, 3, 5)
    satisfaction = answers(np.log(OR_SATISFACTION), 0.4, 1, 5, 4, 5)
    frame = pd.DataFrame(
        {
            "cycle": cycle,
            "leader_id": np.char.add("L", leader.astype(str)),
            "unit": unit,
            "profession": np.array(PROFESSIONS, dtype=object)[prof],
        }
    )
    for j in range(12):
        col = items[:, j]
        frame[f"q{j + 1}"] = pd.array(np.where(col > 0, col, 0), dtype="Int8")
        frame.loc[col == 0, f"q{j + 1}"] = pd.NA
    frame["burnout"] = pd.array(burnout, dtype="Int8")
    frame.loc[burnout == 0, "burnout"] = pd.NA
    frame["satisfaction"] = pd.array(satisfaction, dtype="Int8")
    frame.loc[satisfaction == 0, "satisfaction"] = pd.NA
    frame.to_csv(path, index=False)
    return {"responses": len(leader), "leaders_with_responses": int((per_leader > 0).sum())}


def peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


class Clock:
    """Wall and CPU seconds (this process, all its threads) per phase: on a shared machine the
    CPU figures show what the wall figures owe to other people's load."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.start = self.mark = (time.perf_counter(), time.process_time())

    def lap(self, name: str) -> None:
        now = (time.perf_counter(), time.process_time())
        self.wall[name] = now[0] - self.mark[0]
        self.cpu[name] = now[1] - self.mark[1]
        self.mark = now

    def total(self) -> None:
        now = (time.perf_counter(), time.process_time())
        self.wall["total"] = now[0] - self.start[0]
        self.cpu["total"] = now[1] - self.start[1]


def run_in_process(csv_path: Path, k: int) -> dict:
    import orjson

    from clinlead.analytics.leaderindex_read import read_responses
    from clinlead.analytics.leaderindex_report import associate_report, score_report

    clock = Clock()
    table = read_responses(path=csv_path)
    clock.lap("read")
    report = score_report(table=table, k=k)
    clock.lap("score")
    with open(os.devnull, "wb") as out:
        out.write(orjson.dumps(report, option=orjson.OPT_SERIALIZE_NUMPY))  # as the CLI does
    clock.lap("score json")
    assoc = associate_report(table=table, k=k)
    clock.lap("associate")
    clock.total()
    leaders = report["leaders"]
    units = report["units"]
    return {
        "times": clock.wall,
        "cpu": clock.cpu,
        "leaders": len(leaders),
        "leaders_published": sum(e["published"] for e in leaders),
        "units": len(units),
        "units_published": sum(e["published"] for e in units),
        "burnout_or": assoc["burnout"]["odds_ratio_per_point"],
        "satisfaction_or": assoc["satisfaction"]["odds_ratio_per_point"],
    }


def run_subprocess(csv_path: Path, k: int) -> dict:
    times = {}
    t0 = time.perf_counter()
    for sub in ("score", "associate"):
        t = time.perf_counter()
        cmd = ["clinlead", "leaderindex", sub, str(csv_path), "--min-n", str(k), "--json"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times[f"{sub} (CLI)"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    return {"times": times}


def pandas_baseline(csv_path: Path) -> dict:
    """The plain script an analyst would write: read, index per response, leader and unit means,
    and the two logistic models (burnout, satisfaction on the index, adjusted for profession)."""
    import statsmodels.api as sm

    clock = Clock()
    frame = pd.read_csv(csv_path)
    clock.lap("read")
    items = frame[[f"q{j}" for j in range(1, 13)]]
    frame["index"] = items.mean(axis=1) * 12
    frame.loc[items.notna().sum(axis=1) < 10, "index"] = np.nan
    frame.groupby("leader_id")["index"].mean()
    frame.groupby("unit")["index"].mean()
    clock.lap("means")
    dummies = pd.get_dummies(frame["profession"], drop_first=True, dtype=float)
    for outcome, cutoff in (("burnout", 3), ("satisfaction", 4)):
        used = frame["index"].notna() & frame[outcome].notna()
        y = (frame.loc[used, outcome] >= cutoff).astype(float)
        x = sm.add_constant(pd.concat([frame.loc[used, ["index"]], dummies[used]], axis=1))
        sm.Logit(y, x).fit(disp=0, method="newton")
    clock.lap("models")
    clock.total()
    return {"wall": clock.wall, "cpu": clock.cpu}


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=775_000)
    parser.add_argument("--leaders", type=int, default=120_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--min-n", type=int, default=5)
    parser.add_argument("--subprocess", action="store_true", help="run the clinlead CLI")
    parser.add_argument("--keep", help="write the CSV here and keep it")
    parser.add_argument("--generate-only", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_only:
        info = generate(
            path=Path(args.generate_only),
            responses=args.responses,
            leaders=args.leaders,
            seed=args.seed,
        )
        print(json.dumps(info))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path = folder / "leaderindex_scale.csv"
        t = time.perf_counter()
        if args.subprocess:  # children's peak memory must then be the CLI's alone
            info = generate(
                path=csv_path, responses=args.responses, leaders=args.leaders, seed=args.seed
            )
        else:  # our own peak memory must then be score + associate alone
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--generate-only",
                    str(csv_path),
                    "--responses",
                    str(args.responses),
                    "--leaders",
                    str(args.leaders),
                    "--seed",
                    str(args.seed),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            info = json.loads(out.stdout)
        print(
            f"generated {info['responses']:,} responses, {info['leaders_with_responses']:,} "
            f"leaders with responses, {csv_path.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - t:.1f} s (not timed below)"
        )
        import statsmodels.api  # noqa: F401  both sides run after the same imports

        load_before = load()
        base_rss = peak_mb(resource.RUSAGE_SELF)
        runner = run_subprocess if args.subprocess else run_in_process
        result = runner(csv_path, args.min_n)
        self_rss = peak_mb(resource.RUSAGE_SELF)
        children_rss = peak_mb(resource.RUSAGE_CHILDREN)
        baseline = pandas_baseline(csv_path)
        load_after = load()
    cpu = result.get("cpu", {})
    print(f"{'clinlead':<20} {'wall':>7}   {'CPU':>7}")
    for name, seconds in result["times"].items():
        extra = f"   {cpu[name]:5.2f} s" if name in cpu else ""
        print(f"  {name:<18} {seconds:5.2f} s{extra}")
    print("pandas + statsmodels (read, plain means, the two models)")
    for name, seconds in baseline["wall"].items():
        print(f"  {name:<18} {seconds:5.2f} s   {baseline['cpu'][name]:5.2f} s")
    for key in ("leaders", "leaders_published", "units", "units_published"):
        if key in result:
            print(f"  {key:<18} {result[key]:,}")
    if "burnout_or" in result:
        print(f"  burnout OR/point  {result['burnout_or']:.4f} (simulated {OR_BURNOUT})")
        print(f"  satisfied OR/pt   {result['satisfaction_or']:.4f} (simulated {OR_SATISFACTION})")
    if args.subprocess:
        print(f"peak memory (largest CLI child): {children_rss:,.0f} MB")
    else:
        print(
            f"peak memory (this process, before the pandas baseline): {self_rss:,.0f} MB "
            f"(at start: {base_rss:,.0f} MB)"
        )
    print(f"{load_before} before, {load_after} after (2 cores)")
    total = result["times"]["total"]
    base = baseline["wall"]["total"]
    cpu_ratio = (
        f"; CPU {cpu['total']:.2f} s = {cpu['total'] / baseline['cpu']['total']:.2f} x"
        if "total" in cpu
        else ""
    )
    print(
        f"score + associate: {total:.2f} s = {total / base:.2f} x the pandas + statsmodels "
        f"baseline's {base:.2f} s{cpu_ratio} (target <= 2.0 x, goal 1.0 x; <= 30 s, <= 4 GB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
