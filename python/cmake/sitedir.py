"""Prints where, relative to the install prefix argv[1], this interpreter looks for packages:
the shortest of its schemes' purelib paths under the prefix (Debian: /usr/local ->
lib/python3.X/dist-packages, /usr -> lib/python3/dist-packages), else lib/python3.X/site-packages
(then the interpreter needs PYTHONPATH to see it)."""
import os
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
found = []
for scheme in sysconfig.get_scheme_names():
    if not scheme.startswith(("posix", "deb")) or scheme in ("posix_user", "posix_home"):
        continue
    try:
        p = os.path.normpath(sysconfig.get_path("purelib", scheme))
    except KeyError:
        continue
    if p.startswith(prefix + os.sep) and p in [os.path.normpath(s) for s in sys.path if s]:
        found.append(os.path.relpath(p, prefix))
if found:
    print(min(found, key=lambda r: (r.count(os.sep), r)))
else:
    print(os.path.relpath(sysconfig.get_path("purelib", "posix_prefix",
                                             vars={"base": prefix, "platbase": prefix}), prefix))
