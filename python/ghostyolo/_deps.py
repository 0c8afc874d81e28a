"""The modules the binding cannot work without, checked before anything imports them, so that a
python3 lacking one says what to install (Debian's package and pip's) instead of a bare
ModuleNotFoundError from deep inside the package."""
import importlib
import sys

# module -> (Debian package, pip package)
NEEDED = {"numpy": ("python3-numpy", "numpy"), "cffi": ("python3-cffi", "cffi")}


def check():
    missing = []
    for mod, pkgs in NEEDED.items():
        try:
            importlib.import_module(mod)
        except ImportError as e:
            # cffi without its compiled half names _cffi_backend: the fix is the same package
            missing.append((mod, pkgs, e))
    if not missing:
        return
    mods = " and ".join(m for m, _, _ in missing)
    debian = " ".join(p[0] for _, p, _ in missing)
    pip = " ".join(p[1] for _, p, _ in missing)
    first = missing[0][2]
    raise ImportError(
        f"ghostyolo needs {mods}, which {sys.executable} (Python "
        f"{sys.version_info.major}.{sys.version_info.minor}) cannot import ({first}). "
        f"Install on Debian/Ubuntu: sudo apt install {debian} (for Debian's /usr/bin/python3); "
        f"with pip (a venv or another interpreter): python3 -m pip install {pip}",
        name=missing[0][0])
