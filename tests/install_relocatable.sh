#!/bin/sh
# The installed ghostyolo finds its configs beside itself, whatever the prefix: install into one
# folder, move the whole tree elsewhere, run it from an unrelated folder whose name looks like a
# scale ("exp2s", "v8n") with bare config names and with weights alone.
# usage: install_relocatable.sh BUILD_DIR SHARED_DIR
set -eu
build=$1
shared=$2
weights="$shared/weights/yolov8n.safetensors"
[ -f "$weights" ] || { echo "missing $weights"; exit 1; }
tmp=$(mktemp -d /tmp/gy-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/first" > /dev/null
mv "$tmp/first" "$tmp/moved"
mkdir -p "$tmp/work.exp2s/v8n"
cd "$tmp/work.exp2s/v8n"
bin="$tmp/moved/bin/ghostyolo"
fail() { echo "FAIL: $*"; exit 1; }
"$bin" info -m yolov8n.yaml > info.txt 2>&1 || { cat info.txt; fail "info -m yolov8n.yaml"; }
grep -q "YOLOv8n summary: 225 layers, 3157200 parameters" info.txt || { cat info.txt; fail "YOLOv8n summary"; }
grep -q "moved/share/ghostyolo/configs/yolov8.yaml" info.txt || { cat info.txt; fail "config path"; }
"$bin" info -m yolov8-ghost.yaml --scale n > ghost.txt 2>&1 || { cat ghost.txt; fail "info ghost"; }
"$bin" stats > stats.txt 2>&1 || { cat stats.txt; fail "stats (published table)"; }
grep -q "| YOLOv8s | s |" stats.txt || { cat stats.txt; fail "stats table"; }
# a config copied into this scale-looking folder, asked for by its unified name
mkdir -p configs && cp "$tmp/moved/share/ghostyolo/configs/yolov8.yaml" configs/
"$bin" info -m "$PWD/configs/yolov8s.yaml" > local.txt 2>&1 || { cat local.txt; fail "configs/yolov8s.yaml in work.exp2s/v8n"; }
grep -q "work.exp2s/v8n/configs/yolov8.yaml, scale 's' (file name)" local.txt || { cat local.txt; fail "local unified name"; }
# weights alone: info -w and a positional .safetensors, stats -w W -w W
"$bin" info -w "$weights" > w.txt 2>&1 || { cat w.txt; fail "info -w"; }
grep -q "summary (fused): 168 layers, 3151904 parameters" w.txt || { cat w.txt; fail "info -w summary"; }
"$bin" info "$weights" > w2.txt 2>&1 || { cat w2.txt; fail "info WEIGHTS"; }
cmp -s w.txt w2.txt || fail "info -w and info WEIGHTS differ"
cp "$weights" ./renamed.bin
"$bin" stats -w "$weights" renamed.bin > ws.txt 2>&1 || { cat ws.txt; fail "stats -w W W2"; }
[ "$(grep -c 'summary (fused): 168 layers, 3151904 parameters' ws.txt)" = 2 ] || { cat ws.txt; fail "stats of two weights"; }
echo "install_relocatable: ok"
