"""Time ``loader.load()`` of one store in this process: ``python benchmarks/load_profile.py STORE [--profile]``.

Prints the wall time and the peak RSS of the process, so runs of two versions can be
interleaved from a shell (each run is a fresh process; the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions")
    args = parser.parse_args()
    from kztj_tui import loader

    started = time.perf_counter()
    if args.profile:
        profile = cProfile.Profile()
        store = profile.runcall(loader.load, args.store)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    else:
        store = loader.load(args.store)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load {elapsed:.2f} s  peak RSS {peak:.0f} MB  events {len(store.events):,}")


if __name__ == "__main__":
    main()
