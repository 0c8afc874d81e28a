"""Detections: what Session.detect returns, and its JSON line in the format of
`ghostyolo detect --json`."""
import json
import math

import numpy as np


def c_round(v, scale):
    """round(v * scale) / scale as the CLI computes it (C round(): halves away from zero)."""
    x = v * scale
    a = math.floor(abs(x))
    if abs(x) - a >= 0.5:
        a += 1
    return math.copysign(a, x) / scale


def json_number(v):
    """A number as cJSON writes it: integral values without a fraction."""
    if v == int(v) and abs(v) < 2 ** 31:
        return int(v)
    return v


class Detections:
    """The boxes found in one image, best score first.

    boxes: (N, 4) float32, x1 y1 x2 y2 in the image's pixels; scores: (N,) float32;
    class_ids: (N,) int32; names: the N class names (one per box); image: the path given, or
    None for an array; width, height: the image; input_width, input_height: the letterboxed
    network input used."""

    def __init__(self, image, width, height, input_width, input_height, boxes, scores,
                 class_ids, names):
        self.image = image
        self.width = width
        self.height = height
        self.input_width = input_width
        self.input_height = input_height
        self.boxes = boxes
        self.scores = scores
        self.class_ids = class_ids
        self.names = names

    def __len__(self):
        return len(self.scores)

    def __repr__(self):
        return (f"Detections({self.image!r}, {self.width}x{self.height}, {len(self)} boxes: "
                f"{', '.join(self.names[:5])}{', ...' if len(self) > 5 else ''})")

    def select(self, keep):
        """A copy with only the boxes where the boolean mask / index array keep selects."""
        return Detections(self.image, self.width, self.height, self.input_width,
                          self.input_height, self.boxes[keep], self.scores[keep],
                          self.class_ids[keep], [self.names[i] for i in np.arange(len(self))[keep]])

    def to_dict(self):
        """The CLI's per-image object: image, width, height, input_width, input_height and
        detections [{class_id, name, score, box: [x1, y1, x2, y2]}], rounded as the CLI rounds
        them (box to 1e-3 pixel, score to 1e-6)."""
        dets = []
        for i in range(len(self)):
            dets.append({
                "class_id": int(self.class_ids[i]),
                "name": self.names[i],
                "score": json_number(c_round(float(self.scores[i]), 1e6)),
                "box": [json_number(c_round(float(v), 1e3)) for v in self.boxes[i]],
            })
        return {"image": self.image, "width": self.width, "height": self.height,
                "input_width": self.input_width, "input_height": self.input_height,
                "detections": dets}

    def to_json(self):
        """One line of `ghostyolo detect --json` (without the newline)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)
