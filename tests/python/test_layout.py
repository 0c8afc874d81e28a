"""The binding's hand-written cffi declarations against the real header: a C program compiled
here with the project's compiler prints sizeof and every field's offset of each struct the
binding declares, every enum value and the header limits the binding copies (_lib.DEFINES);
these must equal what cffi computes from the declarations. The same program assigns each real function to a pointer of the type the binding
declares, with incompatible-pointer warnings as errors, so a changed signature fails to compile."""
import os
import re
import subprocess
import tempfile
import unittest

import gytest
from ghostyolo import _lib


def functions(cdef):
    """(return type, name, parameters) of each function the declarations hold."""
    body = re.sub(r"\{[^{}]*\}", "{}", cdef)  # struct bodies out of the way
    out = []
    for stmt in body.split(";"):
        stmt = " ".join(stmt.split())
        if not stmt or stmt.startswith("typedef"):
            continue
        m = re.fullmatch(r"(.+?[\s\*])(\w+)\s*\((.*)\)", stmt)
        if m is None:
            raise AssertionError(f"cannot read the declaration '{stmt}'")
        out.append((m.group(1).strip(), m.group(2), m.group(3)))
    return out


class Layout(unittest.TestCase):
    def test_structs_enums_functions(self):
        ffi = _lib.ffi
        expect = []
        lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "ghostyolo.h"']
        sigs = ['#include "ghostyolo.h"']  # compiled only (-c): the library is not linked
        for ret, name, params in functions(_lib.CDEF):
            sigs.append(f"{ret} (*chk_{name})({params});")
            sigs.append(f"{ret} (*chk_{name})({params}) = {name};")
        lines.append("int main(void) {")
        for s in _lib.STRUCTS:
            t = ffi.typeof(s)
            lines.append(f'printf("sizeof {s} %zu\\n", sizeof({s}));')
            expect.append(f"sizeof {s} {ffi.sizeof(t)}")
            for fname, f in t.fields:
                lines.append(f'printf("offsetof {s}.{fname} %zu\\n", offsetof({s}, {fname}));')
                expect.append(f"offsetof {s}.{fname} {f.offset}")
        lib = _lib.load()
        for e in _lib.ENUMS:
            lines.append(f'printf("enum {e} %d\\n", (int){e});')
            expect.append(f"enum {e} {getattr(lib, e)}")
        for name, value in _lib.DEFINES.items():
            lines.append(f'printf("define {name} %lld\\n", (long long)({name}));')
            expect.append(f"define {name} {value}")
        lines.append("return 0; }")
        self.assertGreater(len(expect), 80)  # every struct and field is in the comparison
        with tempfile.TemporaryDirectory() as d:
            src, exe = os.path.join(d, "layout.c"), os.path.join(d, "layout")
            sig = os.path.join(d, "signatures.c")
            with open(src, "w") as f:
                f.write("\n".join(lines) + "\n")
            with open(sig, "w") as f:
                f.write("\n".join(sigs) + "\n")
            inc = os.path.join(gytest.env("GY_SOURCE_DIR"), "include")
            flags = ["-std=c11", "-Wall", "-Werror", "-Werror=incompatible-pointer-types",
                     "-I", inc]
            cc = subprocess.run([gytest.env("GY_CC"), *flags, "-c", sig, "-o", sig + ".o"],
                                capture_output=True, text=True)
            self.assertEqual(cc.returncode, 0,
                             "the binding's function declarations differ from "
                             "include/ghostyolo.h:\n" + cc.stderr)
            cc = subprocess.run([gytest.env("GY_CC"), *flags, src, "-o", exe],
                                capture_output=True, text=True)
            self.assertEqual(cc.returncode, 0, "the layout program does not compile (a struct or "
                             "field the binding declares is not in the header):\n" + cc.stderr)
            got = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
        self.assertEqual(got.splitlines(), expect,
                         "python/ghostyolo/_lib.py's structs differ from include/ghostyolo.h")

    def test_a_changed_declaration_is_caught(self):
        """The check itself: the parser finds every function, and a struct laid out differently
        changes the numbers compared."""
        names = [n for _, n, _ in functions(_lib.CDEF)]
        self.assertIn("gy_detect", names)
        self.assertEqual(len(names), len(set(names)))
        lib = _lib.load()
        for n in names:
            self.assertTrue(hasattr(lib, n), n)
        import cffi
        other = cffi.FFI()
        changed = _lib.CDEF.replace("int max_det;\n    int agnostic;",
                                    "long long max_det;\n    int agnostic;")
        self.assertNotEqual(changed, _lib.CDEF)
        other.cdef(changed)
        self.assertNotEqual(other.offsetof("gy_detect_params", "agnostic"),
                            _lib.ffi.offsetof("gy_detect_params", "agnostic"))


if __name__ == "__main__":
    unittest.main()
