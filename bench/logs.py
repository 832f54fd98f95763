"""Benchmark: how soon the request log's lines reach the log stream (mutualaid/core/logs.py).

Usage: python bench/logs.py [--runs 50] [--interval 0.2]

A LineWriter writes into a pipe that this script reads. Measured per run: a warning's delay
from ``log.warning`` to being readable (it is written at once by the logging thread), an info
line's delay (written by the background thread within ``interval``), and what one
``log.info`` costs the calling (request) thread. These timings used to be asserted inside
tests/test_operations.py; tests now check only the order and wholeness of what is written.
"""
import argparse
import logging
import os
import select
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mutualaid.core.logs import JsonFormatter, LineWriter  # noqa: E402


def delay_until_readable(fd, emit):
    """Seconds from ``emit()`` until ``fd`` has something to read (drained afterwards)."""
    started = time.perf_counter()
    emit()
    if not select.select([fd], [], [], 10)[0]:
        raise RuntimeError("nothing was written within 10 s")
    elapsed = time.perf_counter() - started
    while select.select([fd], [], [], 0.01)[0]:
        os.read(fd, 65536)
    return elapsed


def percentile(values, share):
    """The value below which ``share`` of ``values`` fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args()
    read_end, write_end = os.pipe()
    handler = LineWriter(write_end, interval=args.interval)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("bench.logs")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    warnings = [delay_until_readable(read_end, lambda: log.warning("trouble"))
                for _ in range(args.runs)]
    infos = [delay_until_readable(read_end, lambda: log.info("request"))
             for _ in range(max(5, args.runs // 5))]
    costs = []
    for _ in range(args.runs):
        for _ in range(20):  # 20 lines stay far below what the pipe holds unread
            started = time.perf_counter()
            log.info("request")
            costs.append(time.perf_counter() - started)
        delay_until_readable(read_end, handler.flush)
    for name, values in (("warning written", warnings), ("info line written", infos),
                         ("log.info in the request thread", costs)):
        print(f"{name:32} median {statistics.median(values) * 1000:8.3f} ms   "
              f"p95 {percentile(values, 0.95) * 1000:8.3f} ms   max {max(values) * 1000:8.3f} ms")


if __name__ == "__main__":
    main()
