#!/usr/bin/python3
"""op_shares.py - where a model's forward pass spends its time, robust to a busy machine.

Runs `ghostyolo bench --layers --json` ROUNDS times and keeps each op's minimum over every pass of
every round (a busy machine only ever adds time), then prints the shares per op kind and the
slowest ops. Several binaries (--ghostyolo A,B) are run alternately, for an A/B of kernels.

    tools/op_shares.py configs/zoo/yolov8-g-ghostnet.yaml [--threads 1] [--rounds 3] [--iters 10]
                       [--ghostyolo build/ghostyolo,build-old/ghostyolo] [--top 15] [--isa avx2]
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def bench(binary, cfg, threads, iters, isa):
    env = dict(os.environ)
    if isa:
        env["GY_ISA"] = isa
    out = subprocess.run([binary, "bench", "-m", cfg, "--scale", "n", "--threads", str(threads),
                          "--iters", str(iters), "--layers", "--json"], check=True,
                         capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--ghostyolo", default=os.path.join(os.path.dirname(here), "build", "ghostyolo"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--isa", default="")
    a = ap.parse_args()
    bins = a.ghostyolo.split(",")
    mins = {b: None for b in bins}
    fwd = {b: [] for b in bins}
    meta = {}
    for _ in range(a.rounds):
        for b in bins:
            o = bench(b, a.config, a.threads, a.iters, a.isa)
            ops = o["layers"]["ops"]
            fwd[b].append(o["ms"]["min"])
            cur = [op.get("min_ms", op["ms"]) for op in ops]
            mins[b] = cur if mins[b] is None else [min(x, y) for x, y in zip(mins[b], cur)]
            meta[b] = ops
    for b in bins:
        ops, m = meta[b], mins[b]
        total = sum(m)
        print(f"== {b}: {os.path.basename(a.config)}, {a.threads} thread(s), sum of per-op minima "
              f"{total:.2f} ms, forward min {min(fwd[b]):.2f} ms")
        kinds = collections.OrderedDict()
        for op, t in zip(ops, m):
            k = kinds.setdefault(op["kind"], [0, 0.0, 0.0])
            k[0] += 1
            k[1] += t
            k[2] += op["gflops"]
        print(f"{'kind':<13}{'ops':>5}{'ms':>10}{'%':>7}{'GFLOPs':>9}{'GFLOP/s':>9}")
        for k, (n, t, g) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
            print(f"{k:<13}{n:>5}{t:>10.3f}{100 * t / total:>7.1f}{g:>9.3f}"
                  f"{(g / t * 1e3 if t > 0 else 0):>9.1f}")
        print(f"\n{'op':>4}{'row':>5}  {'kind':<13}{'output':<36}{'ms':>8}{'%':>6}{'GFLOP/s':>9}")
        order = sorted(range(len(ops)), key=lambda i: -m[i])[: a.top]
        for i in order:
            op = ops[i]
            print(f"{i:>4}{op['row']:>5}  {op['kind']:<13}{op.get('output', ''):<36}{m[i]:>8.3f}"
                  f"{100 * m[i] / total:>6.1f}{(op['gflops'] / m[i] * 1e3 if m[i] > 0 else 0):>9.1f}")
        print()


if __name__ == "__main__":
    sys.exit(main())
