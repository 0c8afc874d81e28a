#!/usr/bin/env python3
"""ultralytics 8.0.126's ConfusionMatrix.process_batch (task 'detect'), restated with numpy only
(torch's box_iou in float32, torch.where's order, numpy's argsort and unique as ultralytics calls
them), for tests/test_confusion.c. Reads cases from stdin, one per line:
    nc | x1 y1 x2 y2 conf cls, ... | cls x1 y1 x2 y2, ...
(an empty field: no detections or no labels); each line is one image of one run, a line "="
starts a new run. Prints each run's matrix, one row per line, as integers."""
import sys

import numpy as np


def box_iou(box1, box2, eps=1e-7):
    a1, a2 = box1[:, None, :2], box1[:, None, 2:]
    b1, b2 = box2[None, :, :2], box2[None, :, 2:]
    inter = (np.minimum(a2, b2) - np.maximum(a1, b1)).clip(0).prod(2)
    return inter / ((a2 - a1).prod(2) + (b2 - b1).prod(2) - inter + np.float32(eps))


class ConfusionMatrix:
    def __init__(self, nc, conf=0.25, iou_thres=0.45):
        self.matrix = np.zeros((nc + 1, nc + 1))
        self.nc = nc
        self.conf = np.float32(conf)
        self.iou_thres = np.float32(iou_thres)

    def process_batch(self, detections, labels):
        if detections is None:
            for gc in labels.astype(int):
                self.matrix[self.nc, gc] += 1
            return
        detections = detections[detections[:, 4] > self.conf]
        gt_classes = labels[:, 0].astype(int)
        detection_classes = detections[:, 5].astype(int)
        iou = box_iou(labels[:, 1:], detections[:, :4])
        x = np.nonzero(iou > self.iou_thres)
        if x[0].shape[0]:
            matches = np.concatenate((np.stack(x, 1), iou[x[0], x[1]][:, None]), 1)
            if x[0].shape[0] > 1:
                matches = matches[matches[:, 2].argsort()[::-1]]
                matches = matches[np.unique(matches[:, 1], return_index=True)[1]]
                matches = matches[matches[:, 2].argsort()[::-1]]
                matches = matches[np.unique(matches[:, 0], return_index=True)[1]]
        else:
            matches = np.zeros((0, 3))
        n = matches.shape[0] > 0
        m0, m1, _ = matches.transpose().astype(int)
        for i, gc in enumerate(gt_classes):
            j = m0 == i
            if n and sum(j) == 1:
                self.matrix[detection_classes[m1[j]], gc] += 1
            else:
                self.matrix[self.nc, gc] += 1
        if n:
            for i, dc in enumerate(detection_classes):
                if not any(m1 == i):
                    self.matrix[dc, self.nc] += 1


def rows(text, width):
    text = text.strip()
    if not text:
        return np.zeros((0, width), dtype=np.float32)
    return np.array([[float(v) for v in r.split()] for r in text.split(',')], dtype=np.float32)


def main():
    cm = None
    out = []
    for line in sys.stdin:
        line = line.strip()
        if line == '=':
            if cm is not None:
                out.append(cm)
            cm = None
            continue
        nc, dets, labels = line.split('|')
        if cm is None:
            cm = ConfusionMatrix(int(nc))
        dets, labels = rows(dets, 6), rows(labels, 5)
        if len(labels) == 0:  # update_metrics: no labels, no call
            continue
        if len(dets) == 0:  # npr == 0: process_batch(None, labels=cls)
            cm.process_batch(None, labels[:, 0])
        else:
            cm.process_batch(dets, labels)
    if cm is not None:
        out.append(cm)
    for cm in out:
        for r in cm.matrix:
            print(' '.join(str(int(v)) for v in r))
        print('=')


if __name__ == '__main__':
    main()
