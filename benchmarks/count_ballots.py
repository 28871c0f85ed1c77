"""How fast is the count? 100,000 ranked ballots over 20 candidates, 5 seats.

    python3 benchmarks/count_ballots.py [--ballots N] [--seed S]

Ballots are generated (seeded) with some structure: four "parties" of five candidates,
voters who mostly rank their own party first and in a loosely shared order, and ballot
lengths from 1 to 20, most of them short. Identical ballots are merged into (count,
ranking) pairs, the BLT form the counting functions take.

Prints wall time and peak traced memory for Scottish STV and approval, and each time as a
multiple of a baseline over the same merged ballots: a plain first-preference tally. The
target for the STV count is 5 s or less. The STV count is also run on the unmerged ballots
(one line per ballot paper, as a web form would give them) to show the cost of merging.
"""

import argparse
import gc
import random
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

# Benchmark this checkout, whichever copy of clinlead happens to be installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinlead.analytics.approval import count_approval  # noqa: E402
from clinlead.analytics.stv import count_scottish_stv  # noqa: E402

CANDIDATES = [f"Candidate {party}{i}" for party in "ABCD" for i in range(1, 6)]
SEATS = 5


def generate(*, n_ballots, seed):
    rng = random.Random(seed)
    parties = [CANDIDATES[i : i + 5] for i in range(0, 20, 5)]
    party_share = [0.34, 0.28, 0.22, 0.16]
    # Each candidate's general appeal: voters rank the more appealing ones earlier.
    appeal = {name: rng.uniform(0.5, 2.0) for name in CANDIDATES}
    ballots = Counter()
    for _ in range(n_ballots):
        own = rng.choices(range(4), weights=party_share)[0]
        # Short ballots are common; a few voters rank everyone.
        length = min(20, max(1, int(rng.expovariate(1 / 4)) + 1))
        if rng.random() < 0.05:
            length = 20

        def score(name, own=own):
            loyal = 3.0 if name in parties[own] else 1.0
            return rng.random() ** (1 / (appeal[name] * loyal))

        ranking = sorted(CANDIDATES, key=score, reverse=True)[:length]
        ballots[tuple(ranking)] += 1
    return [(count, ranking) for ranking, count in ballots.items()]


def first_preference_tally(ballots):
    tally = dict.fromkeys(CANDIDATES, 0)
    for count, ranking in ballots:
        tally[ranking[0]] += count
    return tally


def measure(label, run, repeats=3):
    gc.collect()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    # Traced separately: tracemalloc slows the code it watches.
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return label, best, peak, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()

    started = time.perf_counter()
    ballots = generate(n_ballots=args.ballots, seed=args.seed)
    made = time.perf_counter() - started
    print(
        f"{args.ballots:,} ballots, {len(CANDIDATES)} candidates, {SEATS} seats: "
        f"{len(ballots):,} distinct rankings (generated in {made:.2f} s)"
    )

    one_each = [(1, ranking) for count, ranking in ballots for _ in range(count)]
    runs = [
        measure("first-preference tally (baseline)", lambda: first_preference_tally(ballots)),
        measure(
            "Scottish STV",
            lambda: count_scottish_stv(
                candidates=CANDIDATES, ballots=ballots, seats=SEATS, seed=args.seed
            ),
            repeats=1,
        ),
        measure(
            "Scottish STV, one line per ballot",
            lambda: count_scottish_stv(
                candidates=CANDIDATES, ballots=one_each, seats=SEATS, seed=args.seed
            ),
            repeats=1,
        ),
        measure(
            "approval",
            lambda: count_approval(
                candidates=CANDIDATES, ballots=ballots, seats=SEATS, seed=args.seed, ranked=True
            ),
        ),
    ]
    baseline = runs[0][1]
    print(f"{'count':<36}{'wall time':>12}{'x baseline':>12}{'peak memory':>14}")
    for label, seconds, peak, _ in runs:
        print(f"{label:<36}{seconds:>10.3f} s{seconds / baseline:>12.1f}{peak / 2**20:>10.1f} MiB")

    stv = runs[1][3]
    print(f"STV: quota {stv.quota}, {len(stv.stages)} stages, elected {', '.join(stv.elected)}")
    assert runs[2][3].as_dict() == stv.as_dict(), "merging ballots changed the result"
    print(f"approval: elected {', '.join(runs[3][3].elected)}")
    verdict = "within" if runs[1][1] <= 5 else "OVER"
    print(f"STV count {runs[1][1]:.2f} s: {verdict} the 5 s target")


if __name__ == "__main__":
    main()
