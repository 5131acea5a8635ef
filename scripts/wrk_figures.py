#!/usr/bin/env python3
"""wrk_figures.py: the figures of one `wrk --latency` output, for the bench scripts.

    python3 scripts/wrk_figures.py [--max-bad-share F] WRK_OUTPUT_FILE

Prints one line: requests/s, p50 ms, p99 ms, non-2xx/3xx answers, requests, and 1 when
wrk reported socket errors (else 0). With --max-bad-share, exits 1 (saying why) when
more than that share of the answers were not 2xx/3xx.
"""
import re
import sys


def ms(value):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", value)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def main(argv):
    max_bad = None
    if len(argv) == 3 and argv[0] == "--max-bad-share":
        max_bad, argv = float(argv[1]), argv[2:]
    if len(argv) != 1:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    text = open(argv[0], encoding="utf-8", errors="replace").read()
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    bad = int(bad.group(1)) if bad else 0
    total = int(re.search(r"(\d+) requests in", text).group(1))
    if max_bad is not None and bad > max_bad * total:
        sys.exit("wrk saw %d non-2xx answers in %d" % (bad, total))
    print(re.search(r"Requests/sec:\s*([0-9.]+)", text).group(1),
          "%.3f" % ms(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1)),
          "%.3f" % ms(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1)),
          bad, total, 1 if re.search(r"Socket errors:", text) else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
