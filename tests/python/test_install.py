"""`cmake --install` into a fresh prefix: the package lands in the interpreter's package folder
under it (GY_PYTHON_SITEDIR) with _libpath.py naming the installed library, so a plain
`import ghostyolo` (no GHOSTYOLO_LIB, nothing of the source tree on the path) loads it and
detects."""
import os
import subprocess
import sys
import tempfile
import unittest

import gytest


class Install(unittest.TestCase):
    def test_installed_package_finds_its_library(self):
        bus = gytest.shared(gytest.BUS)
        weights = gytest.shared(gytest.WEIGHTS)
        with tempfile.TemporaryDirectory() as prefix:
            p = subprocess.run(["cmake", "--install", gytest.env("GY_BUILD_DIR"), "--prefix",
                                prefix], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            site = os.path.join(prefix, gytest.env("GY_PYTHON_SITEDIR"))
            self.assertTrue(os.path.isfile(os.path.join(site, "ghostyolo", "__init__.py")), site)
            self.assertTrue(os.path.isfile(os.path.join(site, "ghostyolo", "dask_detect.py")))
            env = {k: v for k, v in os.environ.items()
                   if k not in ("GHOSTYOLO_LIB", "PYTHONPATH")}
            env["PYTHONPATH"] = site
            code = ("import ghostyolo, sys\n"
                    "m = ghostyolo.Model(sys.argv[1])\n"
                    "print(ghostyolo.__file__)\n"
                    "print(ghostyolo.library_path())\n"
                    "print(len(m.session().detect(sys.argv[2])))\n")
            out = subprocess.run([sys.executable, "-c", code, weights, bus], env=env, cwd=prefix,
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            pkg, lib, n = out.stdout.split()
            self.assertEqual(pkg, os.path.join(site, "ghostyolo", "__init__.py"))
            libdir = [d for d in ("lib", "lib64") if os.path.isdir(os.path.join(prefix, d))]
            self.assertIn(lib, [os.path.join(prefix, d, "libghostyolo.so.0") for d in libdir]
                          + [os.path.join(prefix, "lib", "x86_64-linux-gnu", "libghostyolo.so.0")])
            self.assertTrue(os.path.exists(lib))
            self.assertEqual(n, "6")


if __name__ == "__main__":
    unittest.main()
