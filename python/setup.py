"""pip's build of the package (metadata in pyproject.toml): copies python/ghostyolo and writes
ghostyolo/_libpath.py naming the libghostyolo.so to load, when one is found at build time:
  1. $GHOSTYOLO_LIB, when set during `pip install`;
  2. the library of the CMake build folder next to these sources: <repo>/build (the README's
     build command), or $GHOSTYOLO_BUILD_DIR.
Without one, nothing is recorded and the package looks for the library at import time (the
system search path, /usr/local/lib, or $GHOSTYOLO_LIB then: see ghostyolo/_lib.py)."""
import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def built_library():
    env = os.environ.get("GHOSTYOLO_LIB")
    if env:
        return os.path.abspath(env)
    build = os.environ.get("GHOSTYOLO_BUILD_DIR") or os.path.join(os.path.dirname(HERE), "build")
    lib = os.path.join(build, "libghostyolo.so")
    return os.path.abspath(lib) if os.path.exists(lib) else None


class BuildWithLibPath(build_py):
    def run(self):
        super().run()
        lib = built_library()
        target = os.path.join(self.build_lib, "ghostyolo", "_libpath.py")
        if lib is None:
            if os.path.exists(target):
                os.remove(target)
            return
        with open(target, "w") as f:
            f.write("# written by pip install (python/setup.py): the library found at build time\n"
                    f"LIBRARY = {lib!r}\n")
        print(f"ghostyolo: recorded {lib} in {target}")


if __name__ == "__main__":  # (setuptools runs this file as __main__; tests import it)
    setup(cmdclass={"build_py": BuildWithLibPath})
