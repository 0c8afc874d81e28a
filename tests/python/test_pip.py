"""`pip install ./python` without network (Debian's pip and setuptools, --no-build-isolation),
into a --target folder and into a venv that sees Debian's numpy and cffi: the installed package
records the library to load (GHOSTYOLO_LIB as set during the install, else <repo>/build next to
the sources), imports from any folder without GHOSTYOLO_LIB and predicts; a python3 without numpy
or cffi gets an import error naming the packages to install. Each install works on a copy of
python/ in a temporary folder, so the source tree gets no build/ or egg-info."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import gytest

PREDICT = ("import ghostyolo, sys\n"
           "r = ghostyolo.YOLO(sys.argv[1])(sys.argv[2])[0]\n"
           "print(ghostyolo.__file__)\n"
           "print(ghostyolo.library_path())\n"
           "print(len(r), r.verbose())\n")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("GHOSTYOLO_LIB", "PYTHONPATH", "GHOSTYOLO_BUILD_DIR")}
    env.update(PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1")
    env.update(extra)
    return env


def run(cmd, env, cwd):
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p.stdout


class Pip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = os.path.realpath(gytest.env("GHOSTYOLO_LIB"))
        cls.weights = gytest.shared(gytest.WEIGHTS)
        cls.bus = gytest.shared(gytest.BUS)
        cls.src = os.path.join(gytest.env("GY_SOURCE_DIR"), "python")

    def copy_repo(self, d, with_build):
        """d/repo/python (a copy of the sources) and, with_build, d/repo/build/libghostyolo.so."""
        repo = os.path.join(d, "repo")
        shutil.copytree(self.src, os.path.join(repo, "python"),
                        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info",
                                                      "_libpath.py"))
        if with_build:
            os.makedirs(os.path.join(repo, "build"))
            os.symlink(self.lib, os.path.join(repo, "build", "libghostyolo.so"))
        return repo

    def check_predicts(self, python, env, site_pkg, want_lib):
        out = run([python, "-c", PREDICT, self.weights, self.bus], env, cwd="/")
        pkg, lib, n = out.splitlines()
        self.assertEqual(pkg, os.path.join(site_pkg, "ghostyolo", "__init__.py"))
        self.assertEqual(lib, want_lib)
        self.assertEqual(n, "6 4 persons, 1 bus, 1 stop sign, ")

    def test_target_records_ghostyolo_lib(self):
        with tempfile.TemporaryDirectory() as d:
            repo = self.copy_repo(d, with_build=False)
            site = os.path.join(d, "site")
            run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                 "--target", site, "./python"], clean_env(GHOSTYOLO_LIB=self.lib), cwd=repo)
            with open(os.path.join(site, "ghostyolo", "_libpath.py")) as f:
                self.assertIn(f"LIBRARY = {self.lib!r}", f.read())
            self.assertTrue(os.path.isfile(os.path.join(site, "ghostyolo", "predict.py")))
            self.assertTrue(os.path.isdir(os.path.join(site, "ghostyolo-0.1.0.dist-info")))
            self.check_predicts(sys.executable, clean_env(PYTHONPATH=site), site, self.lib)
            # GHOSTYOLO_LIB at run time comes first, alone: a wrong one is an error naming it
            code = ("import ghostyolo\ntry:\n    ghostyolo.library_path()\n"
                    "except ghostyolo.GhostyoloError as e:\n    print(e.message)\n")
            out = run([sys.executable, "-c", code],
                      clean_env(PYTHONPATH=site, GHOSTYOLO_LIB=d + "/nowhere.so"), cwd="/")
            self.assertTrue(out.startswith(f"cannot load libghostyolo: tried {d}/nowhere.so "
                                           "(GHOSTYOLO_LIB: no such file)"), out)
            # a recorded library that is gone is passed over, and the error says so
            with open(os.path.join(site, "ghostyolo", "_libpath.py"), "w") as f:
                f.write(f"LIBRARY = {d + '/gone/libghostyolo.so'!r}\n")
            out = run([sys.executable, "-c", code], clean_env(PYTHONPATH=site), cwd="/")
            if out:  # (empty when a libghostyolo is installed system-wide)
                self.assertIn(f"{d}/gone/libghostyolo.so (recorded at install: no such file)",
                              out)
                self.assertIn("pip install ./python", out)

    def test_venv_finds_the_build_folder(self):
        with tempfile.TemporaryDirectory() as d:
            repo = self.copy_repo(d, with_build=True)
            venv = os.path.join(d, "venv")
            run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", venv],
                clean_env(), d)  # Debian's pip is among the system site packages
            py = os.path.join(venv, "bin", "python")
            run([py, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "./python"],
                clean_env(), cwd=repo)
            site = run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                       clean_env(), cwd="/").strip()
            self.assertTrue(site.startswith(venv), site)
            recorded = os.path.join(repo, "build", "libghostyolo.so")
            self.check_predicts(py, clean_env(), site, recorded)

    def test_where_setup_looks(self):
        """setup.py's choice, without a whole install: GHOSTYOLO_LIB, else GHOSTYOLO_BUILD_DIR,
        else <repo>/build, else nothing (then no _libpath.py is written)."""
        code = "import setup\nprint(setup.built_library())\n"
        with tempfile.TemporaryDirectory() as d:
            repo = self.copy_repo(d, with_build=False)
            here = os.path.join(repo, "python")
            self.assertEqual(run([sys.executable, "-c", code], clean_env(), here), "None\n")
            other = os.path.join(d, "elsewhere")
            os.makedirs(other)
            os.symlink(self.lib, os.path.join(other, "libghostyolo.so"))
            os.makedirs(os.path.join(repo, "build"))
            os.symlink(self.lib, os.path.join(repo, "build", "libghostyolo.so"))
            cases = ((clean_env(), os.path.join(repo, "build", "libghostyolo.so")),
                     (clean_env(GHOSTYOLO_BUILD_DIR=other),
                      os.path.join(other, "libghostyolo.so")),
                     (clean_env(GHOSTYOLO_BUILD_DIR=other, GHOSTYOLO_LIB="rel/lib.so"),
                      os.path.join(here, "rel", "lib.so")),
                     (clean_env(GHOSTYOLO_BUILD_DIR=d + "/empty"), "None"))
            for env, want in cases:
                self.assertEqual(run([sys.executable, "-c", code], env, here), want + "\n")

    def test_missing_numpy_or_cffi_says_what_to_install(self):
        with tempfile.TemporaryDirectory() as d:
            # a venv that does not see Debian's packages: neither numpy nor cffi
            venv = os.path.join(d, "bare")
            run([sys.executable, "-m", "venv", "--without-pip", venv], clean_env(), d)
            p = subprocess.run([os.path.join(venv, "bin", "python"), "-c", "import ghostyolo"],
                               env=clean_env(PYTHONPATH=self.src),
                               cwd="/", capture_output=True, text=True)
            self.assertNotEqual(p.returncode, 0)
            last = p.stderr.strip().splitlines()[-1]
            self.assertTrue(last.startswith("ImportError: ghostyolo needs numpy and cffi, which "
                                            f"{venv}/bin/python (Python 3."), last)
            self.assertIn("sudo apt install python3-numpy python3-cffi", last)
            self.assertIn("python3 -m pip install numpy cffi", last)
            # only cffi missing (blocked here): only cffi is named, and e.name says which
            code = ("import sys\n"
                    "class Block:\n"
                    "    def find_spec(self, name, path=None, target=None):\n"
                    "        if name.split('.')[0] in ('cffi', '_cffi_backend'):\n"
                    "            raise ImportError('No module named ' + repr(name), name=name)\n"
                    "sys.meta_path.insert(0, Block())\n"
                    "try:\n    import ghostyolo\n"
                    "except ImportError as e:\n    print(e.name)\n    print(e)\n")
            out = run([sys.executable, "-c", code], clean_env(PYTHONPATH=self.src), cwd="/")
            name, msg = out.splitlines()
            self.assertEqual(name, "cffi")
            self.assertTrue(msg.startswith("ghostyolo needs cffi, which "), msg)
            self.assertIn("sudo apt install python3-cffi (for", msg)
            self.assertIn("python3 -m pip install cffi", msg)
            self.assertNotIn("numpy", msg)

    def test_version_agrees(self):
        src = gytest.env("GY_SOURCE_DIR")
        with open(os.path.join(src, "CMakeLists.txt")) as f:
            cmake = f.read()
        import ghostyolo
        self.assertIn(f"project(ghostyolo VERSION {ghostyolo.__version__} ", cmake)


if __name__ == "__main__":
    unittest.main()
