"""Batch detection on a Dask cluster: one JSON line per image, as `ghostyolo detect --json` prints
them, streamed to a file as the batches finish.

    /usr/bin/python3 -m ghostyolo.dask_detect SOURCE... --weights W --scheduler ADDRESS|local
        --out results.jsonl [--workers N] [--threads-per-worker T] [--session-threads S]
        [--batch N] [--resume] [--conf 0.25] [--iou 0.7] [--imgsz 640] [--max-det 300]
        [--classes 0,5] [--model CONFIG]

SOURCE: image files, folders, glob patterns, .txt lists and "-" (stdin), as the CLI takes them.
--scheduler local starts a LocalCluster of --workers processes x --threads-per-worker threads on
this machine; an address (tcp://host:8786) connects to a running cluster whose workers can import
ghostyolo and read the images at the same paths. Each worker process loads the model once; each
worker thread has its own session with --session-threads OpenMP threads (default 1).

Output: each line is the CLI's object, or {"image": PATH, "error": MESSAGE} for an image that
failed (unreadable, not an image, a worker lost too often). Lines are appended whole and flushed
one by one, so a reader may follow the file and a crash loses at most the line being written.
Without --resume an existing output is replaced; with --resume the images that already have a
result line are skipped, and failed or truncated lines are dropped (the kept lines are rewritten
through a temporary file and a rename) so their images run again. A summary goes to stderr.
Exit status: 0 when every image has a result, 1 when some failed, 2 on a usage error, 3 when the
model cannot be loaded on the workers, 4 when the scheduler cannot be reached (the output is then
left as it was)."""
import argparse
import json
import os
import sys
import tempfile
import time

from .sources import expand_sources


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python3 -m ghostyolo.dask_detect",
                                 description="Batch detection on a Dask cluster (JSON lines).")
    ap.add_argument("sources", nargs="+", metavar="SOURCE",
                    help="image, folder, glob pattern, .txt list or - (stdin)")
    ap.add_argument("-w", "--weights", required=True, help="safetensors weights")
    ap.add_argument("-m", "--model", default=None, help="model YAML (default: from the weights)")
    ap.add_argument("--nc", type=int, default=None)
    ap.add_argument("--scale", default=None)
    ap.add_argument("--scheduler", required=True, help="'local' or a scheduler address")
    ap.add_argument("--connect-timeout", type=float, default=30,
                    help="seconds to wait for the scheduler (30)")
    ap.add_argument("-o", "--out", required=True, help="output JSON-lines file")
    ap.add_argument("--workers", type=int, default=2, help="local: worker processes (2)")
    ap.add_argument("--threads-per-worker", type=int, default=1, help="local: threads (1)")
    ap.add_argument("--session-threads", type=int, default=1,
                    help="OpenMP threads of each worker thread's session (1; 0 = all cores)")
    ap.add_argument("--batch", type=int, default=8, help="images per task (8)")
    ap.add_argument("--resume", action="store_true", help="skip images already in --out")
    ap.add_argument("--conf", type=float, default=0.25)
    ap.add_argument("--iou", type=float, default=0.7)
    ap.add_argument("--imgsz", type=int, default=640)
    ap.add_argument("--max-det", type=int, default=300)
    ap.add_argument("--classes", default=None, help="class ids to keep, e.g. 0,5")
    a = ap.parse_args(argv)
    if a.workers < 1 or a.threads_per_worker < 1 or a.session_threads < 0 or a.batch < 1:
        ap.error("--workers, --threads-per-worker and --batch must be >= 1, "
                 "--session-threads >= 0")
    if a.imgsz <= 0 or a.imgsz % 32 or not 0 <= a.conf <= 1 or not 0 <= a.iou <= 1 or a.max_det < 1:
        ap.error("--imgsz must be a multiple of 32, --conf and --iou in [0, 1], --max-det >= 1")
    if a.classes is not None:
        try:
            a.classes = [int(c) for c in a.classes.split(",") if c.strip()]
        except ValueError:
            ap.error(f"--classes needs comma-separated class ids, got {a.classes!r}")
    for f in [a.weights] + ([a.model] if a.model else []):
        if not os.path.isfile(f):
            ap.error(f"{f}: no such file")
    return a


def read_done(out):
    """Lines of an earlier run to keep (valid objects without "error") and their images."""
    keep, done = [], set()
    try:
        with open(out, "rb") as f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    continue  # a line cut short by a crash
                try:
                    o = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(o, dict) and isinstance(o.get("image"), str) and "error" not in o \
                        and o["image"] not in done:
                    done.add(o["image"])
                    keep.append(raw)
    except FileNotFoundError:
        pass
    return keep, done


def start_output(out, lines):
    """Creates (or replaces) out holding lines, through a temporary file and a rename; returns
    an append-mode file descriptor."""
    folder = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(out) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.writelines(lines)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return os.open(out, os.O_WRONLY | os.O_APPEND)


class Output:
    def __init__(self, fd):
        self.fd = fd
        self.ok = self.failed = 0

    def write(self, obj):
        line = (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        while line:  # one write for a line in practice; loop for the rare short write
            n = os.write(self.fd, line)
            line = line[n:]
        if "error" in obj:
            self.failed += 1
        else:
            self.ok += 1

    def close(self):
        os.fsync(self.fd)
        os.close(self.fd)


def batches(items, size):
    batch = []
    for it in items:
        batch.append(it)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(a, client, out, todo, detect_kwargs, key, in_flight):
    """Submits batches with at most in_flight tasks queued and writes results as they come."""
    from distributed import as_completed

    from .worker import detect_batch

    pending = {}
    ac = as_completed()
    it = batches(todo, a.batch)

    def submit_next():
        b = next(it, None)
        if b is None:
            return False
        fut = client.submit(detect_batch, b, key, detect_kwargs, a.session_threads, pure=False)
        pending[fut.key] = b
        ac.add(fut)
        return True

    for _ in range(in_flight):
        if not submit_next():
            break
    fatal = None
    for fut in ac:
        b = pending.pop(fut.key)
        try:
            res = fut.result()
        except Exception as e:  # the task failed: e.g. its workers died too often (KilledWorker)
            for shown, _ in b:
                out.write({"image": shown, "error": f"task failed: {type(e).__name__}: {e}"})
            res = None
        fut.release()
        if res is not None and "fatal" in res:
            fatal = res["fatal"]
            break
        if res is not None:
            for r in res["results"]:
                out.write(r)
        submit_next()
    if fatal is not None:
        for f in list(ac.futures):
            f.cancel()
    return fatal


def connect(a):
    """(client, cluster or None); the cluster is started or reached before the output is
    touched, so a wrong address leaves an earlier output as it was."""
    from distributed import Client, LocalCluster

    if a.scheduler == "local":
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=a.threads_per_worker,
                               processes=True, dashboard_address=None)
        return Client(cluster), cluster
    return Client(a.scheduler, timeout=a.connect_timeout), None


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.time()
    keep, done = read_done(a.out) if a.resume else ([], set())
    key = (os.path.abspath(a.weights), os.path.abspath(a.model) if a.model else None, a.nc, a.scale)
    detect_kwargs = {"conf": a.conf, "iou": a.iou, "imgsz": a.imgsz, "max_det": a.max_det,
                     "classes": a.classes}
    try:
        client, cluster = connect(a)
    except (OSError, TimeoutError) as e:
        print(f"dask_detect: cannot reach the scheduler {a.scheduler}: {e}", file=sys.stderr)
        return 4
    fatal = None
    try:
        out = Output(start_output(a.out, keep))
        try:
            skipped = 0
            todo = []  # (path as recorded, absolute path for the workers)
            for path, why in expand_sources(a.sources):
                if path in done:
                    skipped += 1
                elif why is not None:
                    out.write({"image": path, "error": f"{path}: {why}"})
                else:
                    todo.append((path, os.path.abspath(path)))
            t1 = time.time()
            nthreads = sum(client.nthreads().values()) or 1
            if todo:
                fatal = run(a, client, out, todo, detect_kwargs, key, in_flight=4 * nthreads)
            t2 = time.time()
        finally:
            out.close()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    ran = out.ok + out.failed
    if fatal is not None:
        print(f"dask_detect: the workers cannot load the model: {fatal}", file=sys.stderr)
        return 3
    print(f"dask_detect: {ran} images written to {a.out} ({out.ok} ok, {out.failed} failed), "
          f"{skipped} already there; {len(todo)} detected in {t2 - t1:.1f} s "
          f"({len(todo) / max(t2 - t1, 1e-9):.2f} images/s on {nthreads} worker threads), "
          f"{time.time() - t0:.1f} s in all", file=sys.stderr)
    return 1 if out.failed else 0


if __name__ == "__main__":
    sys.exit(main())
