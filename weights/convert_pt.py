#!/usr/bin/env python3
"""Convert an ultralytics YOLOv8 .pt checkpoint into a safetensors file ghostyolo can load.

Run it where torch, safetensors, PyYAML and ultralytics are installed (ultralytics is needed to
unpickle the checkpoint's model object):

    python3 convert_pt.py yolov8n.pt                  # -> yolov8n.safetensors, floats as stored
    python3 convert_pt.py best.pt -o best.safetensors --float32

What is written:
  * the UNFUSED state_dict exactly as stored in the checkpoint (ckpt['ema'], else ckpt['model']),
    with ultralytics names (model.0.conv.weight, model.0.bn.running_var, ...). Floating tensors keep
    their stored dtype (official checkpoints store float16) unless --float32 is given; integer
    tensors (BatchNorm num_batches_tracked, int64) are kept as they are.
  * __metadata__ (all values are strings, as safetensors requires):
      format  - a description of the layout
      source  - the .pt file name
      config  - the model YAML text (yaml.safe_dump(model.yaml, sort_keys=False,
                default_flow_style=None)), so the weights file alone is enough to build the model
      names   - JSON object {"0": "person", ...}
      stride  - JSON list of ints, e.g. [8, 16, 32]
      bn_eps  - eps of the first BatchNorm2d (ultralytics uses 0.001)
      imgsz   - the training image size from ckpt['train_args'], when present

The file is written to a temporary name next to the output and renamed into place.
"""

import argparse
import json
import os
import sys

FORMAT = "ultralytics state_dict (unfused) as stored in the checkpoint"


def load_checkpoint(path):
    import torch

    try:
        # torch >= 2.6 defaults to weights_only=True, which cannot unpickle ultralytics models
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only argument
        return torch.load(path, map_location="cpu")


def pick_model(ckpt, path):
    if not isinstance(ckpt, dict):
        raise SystemExit(f"{path}: not an ultralytics checkpoint (expected a dict, got {type(ckpt).__name__})")
    model = ckpt.get("ema")
    if model is None:
        model = ckpt.get("model")
    if model is None:
        raise SystemExit(f"{path}: the checkpoint has neither 'ema' nor 'model'")
    if not hasattr(model, "state_dict") or not hasattr(model, "yaml"):
        raise SystemExit(f"{path}: ckpt model is a {type(model).__name__}, not an ultralytics model")
    return model


def build_metadata(model, ckpt, source):
    import torch
    import yaml

    bn_eps = None
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            bn_eps = m.eps
            break
    if bn_eps is None:
        raise SystemExit(f"{source}: no BatchNorm2d in the model: it looks fused; ghostyolo needs the "
                         "unfused checkpoint as saved by training")

    names = getattr(model, "names", None)
    if isinstance(names, (list, tuple)):
        names = dict(enumerate(names))
    names = {str(k): str(v) for k, v in sorted((names or {}).items(), key=lambda kv: int(kv[0]))}

    stride = [int(s) for s in torch.as_tensor(model.stride).flatten().tolist()]

    meta = {
        "format": FORMAT,
        "source": os.path.basename(source),
        # flow style for the innermost lists ("- [64, 3, 2]"), like the reference files
        "config": yaml.safe_dump(model.yaml, sort_keys=False, default_flow_style=None),
        "names": json.dumps(names, ensure_ascii=False),
        "stride": json.dumps(stride),
        "bn_eps": str(float(bn_eps)),
    }
    train_args = ckpt.get("train_args") or {}
    imgsz = train_args.get("imgsz") if isinstance(train_args, dict) else getattr(train_args, "imgsz", None)
    if imgsz is not None:
        meta["imgsz"] = json.dumps(imgsz) if isinstance(imgsz, (list, tuple)) else str(imgsz)
    return meta


def collect_tensors(model, float32):
    tensors = {}
    for name, t in model.state_dict().items():
        t = t.detach().cpu()
        if float32 and t.is_floating_point():
            t = t.float()
        # own, contiguous storage: save_file refuses tensors that share memory
        tensors[name] = t.contiguous().clone()
    return tensors


def main(argv=None):
    ap = argparse.ArgumentParser(description="Convert an ultralytics YOLOv8 .pt checkpoint to safetensors for ghostyolo.")
    ap.add_argument("model", help="ultralytics checkpoint (.pt), e.g. yolov8n.pt or runs/detect/train/weights/best.pt")
    ap.add_argument("-o", "--output", help="output file (default: MODEL with the .safetensors extension)")
    ap.add_argument("--float32", action="store_true", help="store floating tensors as float32 instead of their stored dtype")
    args = ap.parse_args(argv)

    from safetensors.torch import save_file

    out = args.output or os.path.splitext(args.model)[0] + ".safetensors"
    ckpt = load_checkpoint(args.model)
    model = pick_model(ckpt, args.model)
    meta = build_metadata(model, ckpt, args.model)
    tensors = collect_tensors(model, args.float32)

    tmp = f"{out}.tmp.{os.getpid()}"
    try:
        save_file(tensors, tmp, metadata=meta)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    dtypes = sorted({str(t.dtype).replace("torch.", "") for t in tensors.values()})
    print(f"{out}: {len(tensors)} tensors ({', '.join(dtypes)}), {len(json.loads(meta['names']))} classes, "
          f"stride {meta['stride']}, bn_eps {meta['bn_eps']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
