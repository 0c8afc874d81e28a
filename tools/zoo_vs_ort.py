#!/usr/bin/python3
"""zoo_vs_ort.py - the backbone zoo's speed table: ghostyolo against ONNX Runtime, side by side.

For each of the ten configs/zoo models at scale n, 640x640, nc 80, and each thread count, runs
`ghostyolo bench` (synthetic weights) and ONNX Runtime (../shared/peers/bench_ort.js on the
graph-only export refilled by ../shared/peers/fill_weights.py) one after the other, for several
interleaved rounds, and prints per model and thread count: both medians (the median over rounds of
each round's median), ratio = ghostyolo / ORT per round and their median, ghostyolo's GFLOP/s and
its share of the FMA limit `bench` measured in the same run, and the load average. Not part of the
build or the tests (ONNX Runtime is a yardstick, never a dependency).

    tools/zoo_vs_ort.py [--ghostyolo build/ghostyolo] [--shared ../shared] [--ort /tmp/ort]
                        [--rounds 3] [--iters 20] [--threads 1,2] [--models ghostnet,hsnet]
                        [--markdown]

Needs python3-onnx and python3-numpy (fill_weights.py) and onnxruntime-node installed in --ort
(`cd /tmp/ort && npm i onnxruntime-node@1.30.0 --ignore-scripts`, see ../shared/peers/README.md).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

MODELS = ["g-ghostnet", "ghostnet", "ghostnetv2", "hsnet", "mobilenetv2", "mobilenetv3-small",
          "mobilenetv3", "shufflenetv1", "shufflenetv2", "squeezenet"]


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_json(cmd, cwd=None):
    out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout
    lines = [l for l in out.splitlines() if l.startswith("{")]
    return json.loads(lines[-1])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ghostyolo", default=os.path.join(repo, "build", "ghostyolo"))
    ap.add_argument("--shared", default=os.path.join(repo, "..", "shared"))
    ap.add_argument("--ort", default="/tmp/ort", help="folder where onnxruntime-node is installed")
    ap.add_argument("--tmp", default="/tmp", help="where the refilled ONNX files go")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    a = ap.parse_args()
    shared = os.path.abspath(a.shared)
    inp = os.path.join(shared, "parity", "real_v8n_bus640", "input.f32")
    models = [m for m in a.models.split(",") if m]
    threads = [int(t) for t in a.threads.split(",")]
    for m in models:
        if m not in MODELS:
            sys.exit(f"zoo_vs_ort: unknown model {m!r} (one of {', '.join(MODELS)})")
        onnx = os.path.join(a.tmp, f"yolov8-{m}_n.onnx")
        if not os.path.exists(onnx):
            subprocess.run(["/usr/bin/python3", os.path.join(shared, "peers", "fill_weights.py"),
                            os.path.join(shared, "peers", "zoo", f"yolov8-{m}_n.graph.onnx"),
                            onnx], check=True)
    res = {}  # (model, threads) -> list of (gy json, ort json, load)
    loads = []
    for r in range(a.rounds):
        for m in models:
            cfg = os.path.join(repo, "configs", "zoo", f"yolov8-{m}.yaml")
            onnx = os.path.join(a.tmp, f"yolov8-{m}_n.onnx")
            for t in threads:
                ld = load()
                loads.append(ld)
                gy = run_json([a.ghostyolo, "bench", "-m", cfg, "--scale", "n", "--threads", str(t),
                               "--iters", str(a.iters), "--json"])
                ort = run_json(["node", os.path.join(shared, "peers", "bench_ort.js"), onnx, str(t),
                                str(a.iters), "3", inp], cwd=a.ort)
                res.setdefault((m, t), []).append((gy, ort, ld))
                print(f"round {r + 1} {m} {t}T: ghostyolo {gy['ms']['median']:.1f} ms, "
                      f"ORT {ort['ms']['median']:.1f} ms, ratio "
                      f"{gy['ms']['median'] / ort['ms']['median']:.2f} (load {ld:.1f})",
                      file=sys.stderr, flush=True)
    head = ["model", "threads", "ghostyolo ms", "ORT ms", "ratio", "ratios per round",
            "GFLOPs", "GFLOP/s", "% FMA limit"]
    rows = []
    for m in models:
        for t in threads:
            v = res[(m, t)]
            g = statistics.median(x[0]["ms"]["median"] for x in v)
            o = statistics.median(x[1]["ms"]["median"] for x in v)
            ratios = [x[0]["ms"]["median"] / x[1]["ms"]["median"] for x in v]
            gfl = v[0][0]["gflops"]
            peak = statistics.median(x[0]["peak_gflops_per_s"] for x in v)
            rows.append([m, str(t), f"{g:.1f}", f"{o:.1f}", f"{statistics.median(ratios):.2f}",
                         " ".join(f"{x:.2f}" for x in ratios), f"{gfl:.2f}",
                         f"{gfl / g * 1e3:.0f}", f"{100 * gfl / g * 1e3 / peak:.0f}"])
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)))
        for r in rows:
            print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
    print(f"\n{a.rounds} interleaved rounds of {a.iters} iterations; load average (1 min) "
          f"{min(loads):.1f}-{max(loads):.1f} during the runs, median {statistics.median(loads):.1f}")


if __name__ == "__main__":
    main()
