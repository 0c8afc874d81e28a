#!/bin/sh
# The README's library program, built from the README's own text against an installed ghostyolo
# in a non-default prefix, both ways the README gives: with pkg-config's ghostyolo (shared; run
# with LD_LIBRARY_PATH) and with --static ghostyolo-static, which must not need libghostyolo.so
# (checked with ldd, and by running it after the installed tree is gone). Both print bus.jpg's
# boxes; a bad path exits 1 with a message naming it.
# usage: install_static_link.sh BUILD_DIR SHARED_DIR SOURCE_DIR CC [EXTRA_FLAGS]
set -eu
build=$1
shared=$2
src=$3
cc=$4
extra=${5:-}
weights="$shared/weights/yolov8n.safetensors"
bus="$shared/images/bus.jpg"
for f in "$weights" "$bus" "$src/README.md"; do [ -f "$f" ] || { echo "missing $f"; exit 1; }; done
tmp=$(mktemp -d /tmp/gy-static.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prefix="$tmp/opt-gy"
cmake --install "$build" --prefix "$prefix" > /dev/null
# the first C block of the README's Library section
awk '/^## Library/ {lib = 1} lib && /^```c$/ {on = 1; next} on && /^```$/ {exit} on {print}' \
    "$src/README.md" > "$tmp/detect.c"
grep -q "int main" "$tmp/detect.c" || fail "no program in the README's Library section"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
"$cc" $extra "$tmp/detect.c" -o "$tmp/dyn" $(pkg-config --cflags --libs ghostyolo) ||
    fail "shared build"
# shellcheck disable=SC2046
"$cc" $extra "$tmp/detect.c" -o "$tmp/static" $(pkg-config --static --cflags --libs ghostyolo-static) ||
    fail "static build"
if ldd "$tmp/static" | grep -q libghostyolo; then ldd "$tmp/static"; fail "the static build needs libghostyolo.so"; fi
LD_LIBRARY_PATH="$prefix/lib" ldd "$tmp/dyn" | grep -q "$prefix/lib/libghostyolo.so" ||
    fail "the shared build does not use the installed libghostyolo.so"
LD_LIBRARY_PATH="$prefix/lib" "$tmp/dyn" "$weights" "$bus" > "$tmp/dyn.txt" || fail "shared run"
rm -rf "$prefix" # nothing installed any more: the static program alone
"$tmp/static" "$weights" "$bus" > "$tmp/static.txt" || fail "static run"
cmp -s "$tmp/dyn.txt" "$tmp/static.txt" || fail "the two programs differ"
# ultralytics' boxes on bus.jpg: a bus at 0.87 and four persons
grep -q "^bus 0.87$" "$tmp/static.txt" || { cat "$tmp/static.txt"; fail "bus 0.87"; }
[ "$(grep -c '^person ' "$tmp/static.txt")" = 4 ] || { cat "$tmp/static.txt"; fail "4 persons"; }
# errors are checked: a missing image names itself, exit 1
if "$tmp/static" "$weights" "$tmp/none.jpg" 2> "$tmp/err.txt"; then fail "a missing image succeeded"; fi
grep -q "none.jpg" "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "the error does not name the file"; }
echo "install_static_link: ok"
