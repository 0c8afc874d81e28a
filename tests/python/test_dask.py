"""Batch detection on Dask over coco128, against `ghostyolo detect --json` (run once here):
  - a LocalCluster of 2 worker processes started by dask_detect itself (--scheduler local) gives,
    for every image, exactly the CLI's boxes; a missing file and a broken image are recorded as
    error lines;
  - on a cluster this test starts (--scheduler ADDRESS), one worker process is killed mid-run:
    every image still has exactly one line, with the CLI's boxes, and each worker process loaded
    the model at most once; then --resume after a crash-like cut (a truncated line, an error
    line, missing lines) runs only what is missing and ends with one line per image again."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import gytest

try:
    import distributed
except ImportError as e:
    sys.exit(f"{sys.executable} cannot import {e.name}: needs Debian's python3-dask and "
             "python3-distributed (see .ci/install-deps)")

CLI = {}


def setUpModule():
    global FOLDER, WEIGHTS
    FOLDER = gytest.shared(gytest.COCO)
    WEIGHTS = gytest.shared(gytest.WEIGHTS)
    # the images by name (today's CLI takes files; the folder itself once it takes folders)
    files = [os.path.join(FOLDER, n) for n in sorted(os.listdir(FOLDER)) if n.endswith(".jpg")]
    CLI.update(gytest.cli_json("-w", WEIGHTS, "--threads", "2", *files))
    assert len(CLI) == 128, f"the CLI gave {len(CLI)} results for coco128, expected 128"


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def dask_detect(*args, wait=True):
    cmd = [sys.executable, "-m", "ghostyolo.dask_detect", *args]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


class Dask(unittest.TestCase):
    def check_all(self, lines, extra=()):
        images = [o["image"] for o in lines]
        self.assertEqual(sorted(images), sorted(list(CLI) + list(extra)),
                         "one line per image, no image twice or missing")
        for o in lines:
            if o["image"] in CLI:
                self.assertNotIn("error", o, o["image"])
                gytest.same_detections(self, o, CLI[o["image"]], o["image"])

    def test_local_cluster_equals_cli(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "results.jsonl")
            missing = os.path.join(d, "missing.jpg")
            broken = os.path.join(d, "broken.jpg")
            with open(broken, "wb") as f:
                f.write(b"\xff\xd8\xff not really a jpeg")
            p = dask_detect(FOLDER, missing, broken, "--weights", WEIGHTS, "--scheduler", "local",
                            "--workers", "2", "--threads-per-worker", "1", "--out", out)
            self.assertEqual(p.returncode, 1, p.stderr)  # 1: some images failed
            self.assertIn("130 images written", p.stderr)
            self.assertIn("128 ok, 2 failed", p.stderr)
            lines = read_lines(out)
            self.check_all(lines, extra=(missing, broken))
            errs = {o["image"]: o["error"] for o in lines if "error" in o}
            self.assertIn("No such file", errs[missing])
            self.assertIn(broken, errs[broken])  # the library's message names the file

    def test_worker_killed_mid_run_then_resume(self):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
        try:
            with tempfile.TemporaryDirectory() as d:
                out = os.path.join(d, "results.jsonl")
                p = dask_detect(FOLDER, "--weights", WEIGHTS, "--scheduler",
                                cluster.scheduler_address, "--batch", "4", "--out", out,
                                wait=False)
                pids = client.run(os.getpid)
                deadline = time.time() + 600
                n = 0
                while n < 16 and p.poll() is None and time.time() < deadline:
                    time.sleep(0.1)
                    if os.path.exists(out):
                        with open(out) as f:
                            n = sum(1 for _ in f)
                if p.poll() is not None:
                    p.communicate()
                    self.fail("the run ended before a worker could be killed")
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed_at = n
                stdout, stderr = p.communicate(timeout=900)
                self.assertEqual(p.returncode, 0, stderr)
                self.assertLess(killed_at, 128)
                self.check_all(read_lines(out))
                # the nanny restarted the killed worker: a new process
                client.wait_for_workers(2, timeout=120)
                self.assertNotIn(victim, client.run(os.getpid).values())

                # one model per process: 32 batches of 4 ran on 2 (then 3) processes
                from ghostyolo import worker
                loads = client.run(worker.process_info)
                self.assertTrue(all(n_loads <= 1 for _, n_loads in loads.values()), loads)

                # a crash-like cut: 100 lines kept, one turned into an error, one cut short
                with open(out) as f:
                    lines = f.readlines()
                kept = lines[:100]
                err_image = json.loads(kept[10])["image"]
                kept[10] = json.dumps({"image": err_image, "error": "lost"}) + "\n"
                cut_image = json.loads(lines[100])["image"]
                with open(out, "w") as f:
                    f.writelines(kept)
                    f.write(lines[100][:40])  # no newline: a line being written at a crash
                p = dask_detect(FOLDER, "--weights", WEIGHTS, "--scheduler",
                                cluster.scheduler_address, "--out", out, "--resume")
                self.assertEqual(p.returncode, 0, p.stderr)
                # 99 kept; the error line's image, the cut one and the 27 never written run
                self.assertIn("99 already there; 29 detected", p.stderr)
                lines = read_lines(out)
                self.check_all(lines)
                self.assertIn(err_image, [o["image"] for o in lines[99:]])
                self.assertIn(cut_image, [o["image"] for o in lines[99:]])
        finally:
            client.close()
            cluster.close()

    def test_usage_and_model_errors(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "o.jsonl")
            p = dask_detect(FOLDER, "--weights", os.path.join(d, "none.safetensors"),
                            "--scheduler", "local", "--out", out)
            self.assertEqual(p.returncode, 2)
            self.assertIn("none.safetensors: no such file", p.stderr)
            p = dask_detect(FOLDER, "--weights", WEIGHTS, "--scheduler", "local", "--out", out,
                            "--imgsz", "100")
            self.assertEqual(p.returncode, 2)
            self.assertIn("--imgsz must be a multiple of 32", p.stderr)
            bad = os.path.join(d, "bad.safetensors")
            with open(bad, "wb") as f:
                f.write(b"garbage")
            p = dask_detect(FOLDER, "--weights", bad, "--scheduler", "local", "--workers", "1",
                            "--out", out)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertIn("the workers cannot load the model", p.stderr)
            self.assertIn(bad, p.stderr)
            # an unreachable scheduler: exit 4, and an earlier output is left as it was
            with open(out, "w") as f:
                f.write('{"image": "earlier"}\n')
            p = dask_detect(FOLDER, "--weights", WEIGHTS, "--scheduler", "tcp://127.0.0.1:1",
                            "--connect-timeout", "2", "--out", out)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("cannot reach the scheduler tcp://127.0.0.1:1", p.stderr)
            with open(out) as f:
                self.assertEqual(f.read(), '{"image": "earlier"}\n')


if __name__ == "__main__":
    unittest.main()
