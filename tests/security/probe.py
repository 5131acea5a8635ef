#!/usr/bin/env python3
"""probe.py: requests one URL at a steady pace and counts what came back, while an attack runs.

    python3 tests/security/probe.py --port 8080 [--path /v1/articles/1] [--src 127.0.0.2]
                                    [--interval 0.2] [--duration 25] [--timeout 3]

Each request is a new connection from the source address --src (another loopback address
than the attacker's, so that per-client limits aimed at the attacker do not hit the probe).
A success is a 200 within --timeout seconds. Prints one line:

    probe: N requests, S ok, F failed, ratio R, latency p50 X ms, p99 Y ms, max Z ms[; failures: ...]

and exits 0 (the caller judges the ratio). Python 3 standard library only.
"""
import argparse
import http.client
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/healthz")
    ap.add_argument("--src", default="127.0.0.2")
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--duration", type=float, default=25.0)
    ap.add_argument("--timeout", type=float, default=3.0)
    args = ap.parse_args()
    ok, failures, lat = 0, [], []
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(args.host, args.port, timeout=args.timeout,
                                          source_address=(args.src, 0) if args.src else None)
        try:
            conn.request("GET", args.path)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                ok += 1
                lat.append(time.monotonic() - t0)
            else:
                failures.append(str(resp.status))
        except (OSError, http.client.HTTPException) as e:
            failures.append(type(e).__name__)
        finally:
            conn.close()
        rest = args.interval - (time.monotonic() - t0)
        if rest > 0:
            time.sleep(rest)
    n = ok + len(failures)
    lat.sort()

    def pct(p):
        return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")

    kinds = {}
    for f in failures:
        kinds[f] = kinds.get(f, 0) + 1
    line = "probe: %d requests, %d ok, %d failed, ratio %.3f, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (
        n, ok, len(failures), ok / n if n else 0.0, pct(0.5), pct(0.99), 1000 * lat[-1] if lat else float("nan"))
    if kinds:
        line += "; failures: " + ", ".join("%s x%d" % kv for kv in sorted(kinds.items()))
    print(line, flush=True)


if __name__ == "__main__":
    main()
