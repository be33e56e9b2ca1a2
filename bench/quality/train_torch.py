#!/usr/bin/env python3
"""`medseg train`'s from-scratch recipe re-implemented in PyTorch, on the same VOC dataset.

The network is bench/pspnet_reference.py's PSPNet (torchvision's backbone, dilated as models/
dilates it, and models/PSPNet's head). Everything around it mirrors core/train, file by file:

- recipe: core/train/TrainingConfig.cpp fromScratchStages(): one stage, everything trainable,
  AdamW lr 2e-3, betas 0.9/0.999, eps 1e-8, weight decay 1e-4 (StagePlan's default), 30 warm-up
  steps then poly decay (power 0.9) over the stage's steps (Trainer.cpp learningRateAt), low
  augmentation, the whole training split;
- stage layout: TrainingConfig.cpp stageSliceCount/stageBatchSize/stepsPerEpoch (the incomplete
  last batch is dropped), and Trainer.cpp's seeded orders (stageLayout, permutation, mixSeed:
  mt19937_64 Fisher-Yates), reproduced bit for bit, so both see the same batches;
- input: core/train/NetworkInput.cpp + InputGeometry.cpp (8-bit / 255, grey replicated to 3
  channels, longer side resized to the input size and the rest padded with 0, masks padded with
  the ignore index, ImageNet mean/std from ModelBundle.h's Preprocessing; logits cropped and
  resized back for whole-slice validation);
- augmentation: core/train/Augmentation.cpp, level "low" (brightness/contrast 0.3, rotation
  0.3 within 15 degrees, horizontal flip 0.5), with the same random numbers: the Augmenter's own
  CPU generator seeded mixSeed(seed, 0xa06) draws the same uniforms here (same ATen generator);
- loss: core/train/Losses.cpp medicalLoss: 0.7 soft Dice (smooth 1, background included) + 0.3
  focal (gamma 2) with Trainer.cpp classWeightsFromMasks's weights, ignore index 255;
- initial weights: models/ResNet.cpp + models/PSPNet.cpp's initialisation replayed from
  torch.manual_seed(seed) in the order LibTorch draws it (resnet18 only), so that both start from
  the same weights and, as the global generator then only feeds Dropout2d, draw the same masks;
- validation: Trainer.cpp, whole slices, Dice per class from one confusion matrix over all
  validation pixels (core/train/Metrics.cpp: classes absent from the truth are left out), the best
  epoch the first with the highest mean foreground Dice.

Needs torch and torchvision (Debian: /usr/bin/python3), numpy and PIL.

    /usr/bin/python3 bench/quality/train_torch.py VOC --epochs 25 --input-size 128 \\
        --output-stride 8 --batch 8 --threads 2 --out runs/torch
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import pspnet_reference  # noqa: E402  (bench/pspnet_reference.py)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from t1head import voc_palette  # noqa: E402  (core/dataset's VOC palette, written once)

IGNORE_INDEX = 255
MASK64 = (1 << 64) - 1


class Recipe:
    """TrainingConfig.cpp fromScratchStages() with StagePlan's defaults (TrainingConfig.h)."""
    learning_rate = 2e-3
    warmup_steps = 30
    poly_power = 0.9
    weight_decay = 1e-4
    betas = (0.9, 0.999)  # Trainer.cpp: AdamWOptions{lr, 0.9, 0.999, 1e-8, weightDecay}
    eps = 1e-8
    data_fraction = 1.0
    augmentation = "low"
    # core/train/Losses.h MedicalLossOptions
    alpha = 0.7
    dice_smooth = 1.0
    focal_gamma = 2.0
    # core/train/ModelBundle.h Preprocessing
    mean = (0.485, 0.456, 0.406)
    std = (0.229, 0.224, 0.225)


# ---- Trainer.cpp's seeded orders -----------------------------------------------------------

class MT19937_64:
    """std::mt19937_64, whose sequence the C++ standard fixes."""

    def __init__(self, seed):
        self.mt = [0] * 312
        self.mt[0] = seed & MASK64
        for i in range(1, 312):
            prev = self.mt[i - 1]
            self.mt[i] = (6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK64
        self.index = 312

    def __call__(self):
        if self.index >= 312:
            mt = self.mt
            for i in range(312):
                x = (mt[i] & 0xFFFFFFFF80000000) | (mt[(i + 1) % 312] & 0x7FFFFFFF)
                y = x >> 1
                if x & 1:
                    y ^= 0xB5026F5AA96619E9
                mt[i] = mt[(i + 156) % 312] ^ y
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK64


def split_mix(x):
    x = (x + 0x9e3779b97f4a7c15) & MASK64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & MASK64
    return x ^ (x >> 31)


def mix_seed(seed, a, b=0):
    return split_mix(split_mix(split_mix(seed) ^ a) ^ b)


def permutation(n, seed):
    """Trainer.cpp permutation(): Fisher-Yates with mt19937_64."""
    order = list(range(n))
    generator = MT19937_64(seed)
    for i in range(n - 1, 0, -1):
        j = generator() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def stage_slice_count(train_slices, data_fraction=Recipe.data_fraction):
    count = int(math.ceil(data_fraction * train_slices - 1e-9))
    return min(max(count, min(2, train_slices)), train_slices)


def stage_batch_size(batch, train_slices):
    return max(1, min(batch, stage_slice_count(train_slices)))


def steps_per_epoch(batch, train_slices):
    return stage_slice_count(train_slices) // stage_batch_size(batch, train_slices)


def learning_rate_at(step, total_steps):
    """Trainer.cpp learningRateAt() for the poly schedule."""
    base = Recipe.learning_rate
    if step < Recipe.warmup_steps:
        return base * (step + 1) / Recipe.warmup_steps
    span = max(1, total_steps - Recipe.warmup_steps)
    progress = min(max((step - Recipe.warmup_steps) / span, 0.0), 1.0)
    return base * (1.0 - progress) ** Recipe.poly_power


# ---- the VOC dataset (core/dataset/VocReader.cpp, core/train/VocTrainingData.cpp) ------------


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n \t") for line in f]


def read_class_table(root):
    """{index: (name, colour)} from labels.json, labelmap.txt or class_names.txt, and the mask
    folder, as VocReader::open chooses them."""
    masks = os.path.join(root, "SegmentationClass")
    if os.path.exists(os.path.join(root, "labels.json")):
        with open(os.path.join(root, "labels.json"), encoding="utf-8") as f:
            labels = json.load(f)["labels"]
        return {int(c["index"]): (c["name"], tuple(c["color"])) for c in labels}, masks
    palette = [tuple(colour) for colour in voc_palette()]
    if os.path.exists(os.path.join(root, "labelmap.txt")):
        lines = [line for line in read_lines(os.path.join(root, "labelmap.txt"))
                 if line and not line.startswith("#")]
        if any(":" in line for line in lines):
            table = {}
            for index, line in enumerate(lines):
                name, rest = line.split(":", 1)
                table[index] = (name, tuple(int(v) for v in rest.split(":")[0].split(",")))
            return table, masks
        names = [line for line in lines if line != "__ignore__"]
    elif os.path.exists(os.path.join(root, "class_names.txt")):
        names = [line for line in read_lines(os.path.join(root, "class_names.txt"))
                 if line and not line.startswith("#") and line != "__ignore__"]
        if os.path.isdir(os.path.join(root, "SegmentationClassPNG")):
            masks = os.path.join(root, "SegmentationClassPNG")
    else:
        raise SystemExit(f"{root}: no labels.json, labelmap.txt or class_names.txt: not a VOC "
                         "segmentation dataset")
    return {i: (name, palette[i]) for i, name in enumerate(names)}, masks


def read_image(path):
    """VocReader::readImage: 8-bit grey or RGB, [C, H, W] uint8."""
    image = Image.open(path)
    if image.mode in ("P", "PA", "RGBA", "LA", "CMYK", "YCbCr"):
        image = image.convert("RGB")
    array = np.asarray(image)
    if array.dtype != np.uint8:  # cv::Mat::convertTo(CV_8U) saturates
        array = np.clip(np.rint(array), 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = array[None]
    else:
        array = array.transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(array))


def read_mask(path, table):
    """VocReader::readMask: palette or grey PNGs hold the indexes, RGB ones the class colours."""
    image = Image.open(path)
    if image.mode in ("P", "L"):
        mask = np.asarray(image).astype(np.uint8)
    else:
        rgb = np.asarray(image.convert("RGB")).astype(np.int64)
        keys = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
        mask = np.full(keys.shape, 255, np.uint8)
        known = np.zeros(keys.shape, bool)
        for index, (_, colour) in table.items():
            hit = keys == ((colour[0] << 16) | (colour[1] << 8) | colour[2])
            mask[hit] = index
            known |= hit
        if not known.all():
            raise SystemExit(f"{path}: a colour is not in the class table")
    bad = set(np.unique(mask).tolist()) - set(table) - {IGNORE_INDEX}
    if bad:
        raise SystemExit(f"{path}: class index {min(bad)} is not in the class table")
    return torch.from_numpy(np.ascontiguousarray(mask))


def load_voc(root, seed, val_fraction=0.2):
    """loadVocTrainingData: samples by name, the dataset's train/val split (else a seeded one),
    classes 0..max index. Returns (train, val, class names)."""
    table, mask_dir = read_class_table(root)
    max_index = max(table)
    if max_index < 1:
        raise SystemExit(f"{root}: the class table needs a background and a structure")
    names = [table[i][0] if i in table else f"class {i}" for i in range(max_index + 1)]
    sets = os.path.join(root, "ImageSets", "Segmentation")

    def listed(name):
        path = os.path.join(sets, name)
        if not os.path.exists(path):
            return set()
        return {line.split(" ")[0] for line in read_lines(path) if line}

    train_names, val_names = listed("train.txt"), listed("val.txt")
    samples = []
    for file in sorted(os.listdir(mask_dir)):
        if not file.endswith(".png") or not os.path.isfile(os.path.join(mask_dir, file)):
            continue
        name = file[:-4]
        image = None
        for extension in (".png", ".jpg", ".jpeg", ".JPG", ".PNG", ".bmp"):
            candidate = os.path.join(root, "JPEGImages", name + extension)
            if os.path.exists(candidate):
                image = candidate
                break
        split = "train" if name in train_names else "val" if name in val_names else ""
        samples.append((name, image, os.path.join(mask_dir, file), split))
    samples.sort(key=lambda s: s[0].encode("utf-8"))  # std::string's byte order
    any_split = any(s[3] for s in samples)
    to_val = [False] * len(samples)
    if not any_split and len(samples) > 1:
        order = list(range(len(samples)))
        generator = MT19937_64(seed)
        for i in range(len(order) - 1, 0, -1):
            j = generator() % (i + 1)
            order[i], order[j] = order[j], order[i]
        count = min(max(int(math.floor(val_fraction * len(order) + 0.5)), 1), len(order) - 1)
        for i in order[:count]:
            to_val[i] = True
    train, val = [], []
    for i, (name, image_path, mask_path, split) in enumerate(samples):
        if image_path is None:
            continue
        if any_split and split not in ("train", "val"):
            continue
        image, mask = read_image(image_path), read_mask(mask_path, table)
        if image.shape[1:] != mask.shape:
            raise SystemExit(f"{mask_path}: the mask is not its image's size")
        is_val = split == "val" if any_split else to_val[i]
        (val if is_val else train).append((name, image, mask))
    return train, val, names


def class_weights_from_masks(masks, class_count, max_ratio=10.0):
    """Trainer.cpp classWeightsFromMasks: clipped inverse frequencies, mean 1."""
    counts = torch.zeros(class_count, dtype=torch.long)
    for mask in masks:
        values = mask.reshape(-1).long()
        counts += torch.bincount(values[values < class_count], minlength=class_count)
    total = float(counts.sum())
    weights = [total / float(n) if n > 0 else 0.0 for n in counts.tolist()]
    present = sorted(w for w in weights if w > 0)
    if not present:
        return [1.0] * class_count
    middle = len(present) // 2
    median = present[middle] if len(present) % 2 else 0.5 * (present[middle - 1] + present[middle])
    weights = [min(max(w, median / max_ratio), median * max_ratio) if w > 0 else 0.0
               for w in weights]
    largest = max(weights)
    weights = [w if w != 0 else largest for w in weights]
    total_weight = sum(weights)  # std::accumulate: left to right
    return [w * class_count / total_weight for w in weights]


# ---- core/train/InputGeometry.cpp + NetworkInput.cpp ----------------------------------------

def placement(height, width, size, stretch=False):
    """placeSlice: (height, width, size, top, left, rows, cols)."""
    if size <= 0:
        return (height, width, 0, 0, 0, height, width)
    if stretch or height == width:
        return (height, width, size, 0, 0, size, size)
    scale = size / max(height, width)

    def llround(v):
        return int(math.floor(v + 0.5))

    rows = min(max(llround(height * scale), 1), size)
    cols = min(max(llround(width * scale), 1), size)
    return (height, width, size, (size - rows) // 2, (size - cols) // 2, rows, cols)


def is_identity(p):
    height, width, size, top, left, rows, cols = p
    return rows == height and cols == width and top == 0 and left == 0 and \
        (size == 0 or (size == height and size == width))


def padding_of(p):
    _, _, size, top, left, rows, cols = p
    return (left, size - cols - left, top, size - rows - top)


def unit_of(image):
    x = image.float().div(255.0) if image.dtype == torch.uint8 else image.float()
    while x.dim() < 4:
        x = x.unsqueeze(0)
    return x


def match_channels(unit, in_channels):
    channels = unit.shape[1]
    if channels == in_channels:
        return unit
    if channels == 1:
        return unit.expand(unit.shape[0], in_channels, unit.shape[2], unit.shape[3])
    if in_channels == 1:
        return unit.mean(1, keepdim=True)
    raise SystemExit(f"the images have {channels} channels; the model expects {in_channels}")


def place_image(image, p):
    if is_identity(p):
        return image
    x = image.float().contiguous()
    rows, cols = p[5], p[6]
    if x.shape[2] != rows or x.shape[3] != cols:
        x = F.interpolate(x, size=(rows, cols), mode="bilinear", align_corners=False)
    if rows != p[2] or cols != p[2]:
        x = F.pad(x, padding_of(p), value=0.0)
    return x


def place_mask(mask, p, pad_label=IGNORE_INDEX):
    m = mask.long()
    if is_identity(p):
        return m
    single = m.dim() == 2
    if single:
        m = m.unsqueeze(0)
    rows, cols = p[5], p[6]
    if m.shape[1] != rows or m.shape[2] != cols:
        m = F.interpolate(m.float().unsqueeze(1), size=(rows, cols), mode="nearest") \
            .squeeze(1).round().long()
    if rows != p[2] or cols != p[2]:
        m = F.pad(m, padding_of(p), value=pad_label)
    return m.squeeze(0) if single else m


def normalize_channels(x):
    channels = x.shape[1]
    mean = [Recipe.mean[c % len(Recipe.mean)] for c in range(channels)]
    std = [Recipe.std[c % len(Recipe.std)] for c in range(channels)]
    m = torch.tensor(mean, dtype=torch.float32).view(1, channels, 1, 1).to(x.device)
    s = torch.tensor(std, dtype=torch.float32).view(1, channels, 1, 1).to(x.device)
    return (x.float() - m) / s


def logits_to_slice(logits, p):
    if is_identity(p):
        return logits
    height, width, size, top, left, rows, cols = p
    x = logits
    if rows != size or cols != size:
        x = x.narrow(2, top, rows).narrow(3, left, cols)
    if x.shape[2] != height or x.shape[3] != width:
        x = F.interpolate(x.contiguous(), size=(height, width), mode="bilinear",
                          align_corners=False)
    return x


# ---- core/train/Augmentation.cpp ------------------------------------------------------------

class Augmenter:
    """Augmenter::operator() for the levels "none" and "low" (no elastic or grid distortion),
    drawing from a CPU generator exactly as the C++ one does."""

    # AugmentationOptions::forLevel: rotate, brightness/contrast, flip probabilities
    LEVELS = {"none": (0.0, 0.0, 0.0), "low": (0.3, 0.3, 0.5)}
    ROTATE_DEGREES = 15.0
    BRIGHTNESS_LIMIT = 0.1
    CONTRAST_LIMIT = 0.1
    # Columns of the per-sample draws (enum Draw)
    BC, BRIGHTNESS, CONTRAST, ROTATE, ANGLE, ELASTIC, GRID, FLIP, COUNT = range(9)

    def __init__(self, level, seed, unit_range=True):
        if level not in self.LEVELS:
            raise SystemExit(f"augmentation '{level}' is not mirrored here (none or low)")
        self.rotate_p, self.bc_p, self.flip_p = self.LEVELS[level]
        self.unit_range = unit_range
        self.generator = torch.Generator()
        self.generator.manual_seed(seed)

    def __call__(self, images, masks):
        n, _, h, w = images.shape
        if n == 0 or h == 0 or w == 0:
            return images, masks
        device = images.device
        d = torch.rand((n, self.COUNT), generator=self.generator, dtype=torch.float64).tolist()

        def uniform(u, limit):
            return (2.0 * u - 1.0) * limit

        intensity, alpha, beta, warped, angles, flipped = [], [], [], [], [], []
        for i in range(n):
            if d[i][self.BC] < self.bc_p:
                intensity.append(i)
                alpha.append(1.0 + uniform(d[i][self.CONTRAST], self.CONTRAST_LIMIT))
                beta.append(uniform(d[i][self.BRIGHTNESS], self.BRIGHTNESS_LIMIT))
            if d[i][self.ROTATE] < self.rotate_p:  # elastic and grid: probability 0
                warped.append(i)
                angles.append(uniform(d[i][self.ANGLE], self.ROTATE_DEGREES) * math.pi / 180.0)
            if d[i][self.FLIP] < self.flip_p:
                flipped.append(i)

        out_images, out_masks = images, masks
        if intensity:
            index = torch.tensor(intensity, dtype=torch.long, device=device)
            a = torch.tensor(alpha, dtype=torch.float64).to(device, images.dtype)
            b = torch.tensor(beta, dtype=torch.float64).to(device, images.dtype)
            changed = out_images.index_select(0, index) * a.view(-1, 1, 1, 1) + b.view(-1, 1, 1, 1)
            if self.unit_range:
                changed = changed.clamp(0.0, 1.0)
            out_images = out_images.index_copy(0, index, changed)

        if warped:
            m = len(warped)
            index = torch.tensor(warped, dtype=torch.long, device=device)
            fopts = dict(dtype=torch.float32, device=device)
            x = (torch.arange(w, **fopts) + 0.5).view(1, 1, w).expand(m, h, w)
            y = (torch.arange(h, **fopts) + 0.5).view(1, h, 1).expand(m, h, w)
            # Inverse of cv2.getRotationMatrix2D about the image centre.
            theta = torch.tensor(angles, dtype=torch.float64).to(device, torch.float32)
            c = torch.cos(theta).view(m, 1, 1)
            s = torch.sin(theta).view(m, 1, 1)
            cx, cy = float(np.float32(w) / np.float32(2)), float(np.float32(h) / np.float32(2))
            dx, dy = x - cx, y - cy
            x = cx + c * dx - s * dy
            y = cy + s * dx + c * dy
            sx, sy = float(np.float32(2) / np.float32(w)), float(np.float32(2) / np.float32(h))
            grid = torch.stack([x * sx - 1.0, y * sy - 1.0], -1)
            image = out_images.index_select(0, index).float()
            warped_image = F.grid_sample(image, grid, mode="bilinear", padding_mode="zeros",
                                         align_corners=False)
            out_images = out_images.index_copy(0, index, warped_image.to(images.dtype))
            # Nearest neighbour on index + 1, so that 0 marks pixels from outside the image.
            mask = out_masks.index_select(0, index).float().unsqueeze(1) + 1.0
            sampled = F.grid_sample(mask, grid, mode="nearest", padding_mode="zeros",
                                    align_corners=False).squeeze(1)
            classes = torch.round(sampled).to(masks.dtype)
            warped_mask = torch.where(classes == 0, torch.full_like(classes, IGNORE_INDEX),
                                      classes - 1)
            out_masks = out_masks.index_copy(0, index, warped_mask)

        if flipped:
            index = torch.tensor(flipped, dtype=torch.long, device=device)
            out_images = out_images.index_copy(0, index, out_images.index_select(0, index).flip(3))
            out_masks = out_masks.index_copy(0, index, out_masks.index_select(0, index).flip(2))
        return out_images, out_masks


# ---- core/train/Losses.cpp --------------------------------------------------------------------

def medical_loss(logits, targets, class_weights):
    k = logits.shape[1]
    valid = targets != IGNORE_INDEX
    clean = torch.where(valid, targets, torch.zeros_like(targets)).long()
    # soft Dice
    valid_f = valid.unsqueeze(1).float()
    probs = torch.softmax(logits.float(), 1) * valid_f
    classes = torch.arange(k, dtype=clean.dtype, device=clean.device).view(1, k, 1, 1)
    onehot = (clean.unsqueeze(1) == classes).float() * valid_f
    dims = (0, 2, 3)
    intersection = (probs * onehot).sum(dims)
    cardinality = probs.sum(dims) + onehot.sum(dims)
    dice = (2.0 * intersection + Recipe.dice_smooth) / (cardinality + Recipe.dice_smooth)
    dice_loss = 1.0 - dice.mean()
    # focal
    log_probs = torch.log_softmax(logits.float(), 1)
    log_pt = log_probs.gather(1, clean.unsqueeze(1)).squeeze(1)
    pt = torch.exp(log_pt)
    loss = -torch.pow(1.0 - pt, Recipe.focal_gamma) * log_pt
    if class_weights is not None:
        weights = torch.tensor(class_weights, dtype=torch.float64).to(log_probs.device,
                                                                      torch.float32)
        loss = loss * weights.index_select(0, clean.flatten()).view_as(loss)
    valid_pixels = valid.float()
    focal = (loss * valid_pixels).sum() / valid_pixels.sum().clamp_min(1.0)
    return Recipe.alpha * dice_loss + (1.0 - Recipe.alpha) * focal


# ---- core/train/Metrics.cpp -------------------------------------------------------------------

class Confusion:
    def __init__(self, k):
        self.k = k
        self.matrix = torch.zeros(k * k, dtype=torch.long)

    def add(self, predictions, targets):
        t, p = targets.flatten().long(), predictions.flatten().long()
        valid = (t != IGNORE_INDEX) & (t >= 0) & (t < self.k) & (p >= 0) & (p < self.k)
        self.matrix += torch.bincount((t * self.k + p)[valid], minlength=self.k * self.k).cpu()

    def dice(self):
        m = self.matrix.view(self.k, self.k).double()
        truth, predicted, tp = m.sum(1), m.sum(0), m.diagonal()
        return [2.0 * float(tp[c]) / float(truth[c] + predicted[c]) if truth[c] > 0
                else float("nan") for c in range(self.k)]


def mean_foreground(values):
    present = [v for v in values[1:] if not math.isnan(v)]
    return sum(present) / len(present) if present else float("nan")


# ---- the network: bench/pspnet_reference.py, initialised as models/ initialises it ------------

def replay_medseg_init(model, seed):
    """The draws of torch::manual_seed(seed); models::createModel(config) (models/ResNet.cpp,
    models/Layers.cpp initConvNormWeights, models/PSPNet.cpp) on this model's tensors, in
    LibTorch's order: each Conv2d's reset_parameters() as the C++ constructors run them
    (BasicBlock: conv1, conv2, then the downsample conv; torchvision builds the downsample conv
    first), He-normal (fan out) over the backbone's convs in module order, the head's
    constructors (pyramid bins, bottleneck, classifier), He-normal over the head, the classifier
    N(0, 0.01). BatchNorm draws nothing. Returns False where the backbone is not resnet18."""
    body = model.backbone.body
    if not isinstance(body[0], nn.Conv2d) or len(body) != 8:
        return False
    torch.manual_seed(seed)
    with torch.no_grad():
        constructed = [body[0]]
        for layer in body[4:8]:
            for block in layer:
                constructed += [block.conv1, block.conv2]
                if block.downsample is not None:
                    constructed.append(block.downsample[0])
        for conv in constructed:
            conv.reset_parameters()
        for conv in body.modules():
            if isinstance(conv, nn.Conv2d):
                nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
                if conv.bias is not None:
                    conv.bias.zero_()
        head = [stage[0] for stage in model.ppm.stages] + [model.bottleneck[0], model.classifier]
        for conv in head:
            conv.reset_parameters()
        for conv in head:
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
            if conv.bias is not None:
                conv.bias.zero_()
        model.classifier.weight.normal_(0.0, 0.01)
        model.classifier.bias.zero_()
    return True


def init_head_like_medseg(model):
    """models/PSPNet.cpp's head initialisation without replaying the draws (other backbones)."""
    with torch.no_grad():
        for name, module in model.named_modules():
            if name.startswith("backbone"):
                continue
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, nn.BatchNorm2d):
                module.weight.fill_(1.0)
                module.bias.zero_()
        model.classifier.weight.normal_(0.0, 0.01)
        model.classifier.bias.zero_()


def make_optimizer(model):
    params = [p for p in model.parameters() if p.requires_grad]
    kwargs = dict(lr=Recipe.learning_rate, betas=Recipe.betas, eps=Recipe.eps,
                  weight_decay=Recipe.weight_decay)
    try:
        return torch.optim.AdamW(params, foreach=True, **kwargs)
    except TypeError:
        return torch.optim.AdamW(params, **kwargs)


# ---- training (Trainer.cpp's fit(), for the one stage of the recipe) -------------------------

class TrainingRun:
    def __init__(self, args):
        self.args = args
        self.started = time.perf_counter()
        torch.set_num_threads(args.threads)
        self.device = torch.device(args.device)
        self.train_set, self.val_set, self.class_names = load_voc(args.dataset, args.seed)
        if not self.train_set or not self.val_set:
            raise SystemExit(f"{args.dataset}: needs training and validation slices")
        self.weights = class_weights_from_masks([m for _, _, m in self.train_set],
                                                len(self.class_names))
        self.model = pspnet_reference.PSPNet(args.backbone, args.in_channels,
                                             max(2, len(self.class_names)), args.output_stride)
        self.replayed = replay_medseg_init(self.model, args.seed)
        if not self.replayed:
            torch.manual_seed(args.seed)
            init_head_like_medseg(self.model)
        # Trainer.cpp: bf16 autocast around the forward pass on CUDA ("auto"), never on the
        # CPU; channels_last on CUDA (TrainingConfig.h channelsLast).
        use_cuda = self.device.type == "cuda"
        amp = ("bf16" if use_cuda else "off") if args.amp == "auto" else args.amp
        if amp == "bf16" and not use_cuda:
            raise SystemExit("--amp bf16 is for CUDA (medseg never autocasts on the CPU)")
        self.autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) \
            if amp == "bf16" else contextlib.nullcontext
        self.memory_format = torch.channels_last if use_cuda else torch.contiguous_format
        self.model.to(self.device, memory_format=self.memory_format)
        self.optimizer = make_optimizer(self.model)
        self.augmenter = Augmenter(args.augmentation or Recipe.augmentation,
                                   mix_seed(args.seed, 0xa06))
        # Trainer.cpp stageLayout (stage 0)
        n = len(self.train_set)
        self.subset = permutation(n, mix_seed(args.seed, 0x5, 0))[:stage_slice_count(n)]
        self.batch = stage_batch_size(args.batch, n)
        self.steps = steps_per_epoch(args.batch, n)
        self.step = 0
        self.best = {"mean_foreground_dice": -1.0}
        os.makedirs(args.out, exist_ok=True)
        self.metrics = open(os.path.join(args.out, "metrics.jsonl"), "w", encoding="utf-8")

    def write(self, line):
        self.metrics.write(json.dumps(line) + "\n")
        self.metrics.flush()

    def network_input(self, unit):
        """NetworkInput.cpp networkInput: unit [N, C, H, W] -> input, and its placement."""
        p = placement(unit.shape[2], unit.shape[3], self.args.input_size, self.args.stretch)
        x = normalize_channels(place_image(match_channels(unit, self.args.in_channels), p))
        return x.contiguous(memory_format=self.memory_format), p

    def training_batch(self, indexes):
        """Trainer.cpp: each slice placed, the batch augmented, then normalised."""
        images, masks = [], []
        for i in indexes:
            _, image, mask = self.train_set[i]
            unit = match_channels(unit_of(image.to(self.device)), self.args.in_channels)
            p = placement(unit.shape[2], unit.shape[3], self.args.input_size, self.args.stretch)
            images.append(place_image(unit, p))
            masks.append(place_mask(mask.to(self.device), p))
        images, masks = self.augmenter(torch.cat(images), torch.stack(masks))
        return normalize_channels(images).contiguous(memory_format=self.memory_format), masks

    def train_step(self, x, masks, lr):
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.zero_grad(set_to_none=True)
        with self.autocast():
            logits = self.model(x)
        loss = medical_loss(logits.float(), masks, self.weights)
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit(f"the loss became {value} at step {self.step + 1}")
        loss.backward()
        self.optimizer.step()
        self.step += 1
        return value

    def train_epoch(self, epoch, fit_started):
        shuffled = permutation(len(self.subset), mix_seed(self.args.seed, 1, epoch))
        order = [self.subset[i] for i in shuffled]
        self.model.train()
        loss_sum = 0.0
        for s in range(self.steps):
            x, masks = self.training_batch(order[s * self.batch:(s + 1) * self.batch])
            lr = learning_rate_at(epoch * self.steps + s, self.steps * self.args.epochs)
            value = self.train_step(x, masks, lr)
            loss_sum += value
            self.write({"type": "step", "epoch": epoch, "step": self.step, "loss": value,
                        "lr": lr, "elapsed_seconds": time.perf_counter() - fit_started})
        return loss_sum / max(1, self.steps)

    def validate(self):
        """Whole slices, in batches of up to 8 consecutive slices of one shape (Trainer.cpp);
        returns (Dice per class, mean validation loss per slice)."""
        self.model.eval()
        confusion = Confusion(len(self.class_names))
        val_loss = 0.0
        with torch.no_grad():
            first = 0
            while first < len(self.val_set):
                shape = self.val_set[first][1].shape
                group = []
                while first + len(group) < len(self.val_set) and len(group) < 8 and \
                        self.val_set[first + len(group)][1].shape == shape:
                    group.append(self.val_set[first + len(group)])
                first += len(group)
                x, p = self.network_input(unit_of(torch.stack([g[1] for g in group])
                                                  .to(self.device)))
                with self.autocast():
                    logits = self.model(x)
                logits = logits_to_slice(logits.float(), p)
                target = torch.stack([g[2] for g in group]).long().to(self.device)
                for i in range(logits.shape[0]):
                    val_loss += medical_loss(logits[i:i + 1], target[i:i + 1],
                                             self.weights).item()
                confusion.add(logits.argmax(1), target)
        return confusion.dice(), val_loss / len(self.val_set)

    def fit(self):
        args = self.args
        print(f"train_torch: PyTorch {torch.__version__}, {torch.get_num_threads()} threads, "
              f"{args.backbone} (output stride {args.output_stride}), {len(self.train_set)} "
              f"train / {len(self.val_set)} val slices, {len(self.class_names)} classes, input "
              f"{args.input_size}, batch {self.batch}, {self.steps} steps per epoch, "
              f"{args.epochs} epochs; initial weights "
              f"{'as medseg draws them' if self.replayed else 'not replayed (not resnet18)'}; "
              f"class weights {[round(w, 4) for w in self.weights]}", flush=True)
        fit_started = time.perf_counter()
        for epoch in range(args.epochs):
            train_loss = self.train_epoch(epoch, fit_started)
            dice, val_loss = self.validate()
            mean_dice = mean_foreground(dice)
            if not math.isfinite(mean_dice):
                mean_dice = 0.0
            improved = mean_dice > self.best["mean_foreground_dice"]
            line = {"type": "epoch", "epoch": epoch, "step": self.step,
                    "train_loss": train_loss, "val_loss": val_loss,
                    "dice": [d if math.isfinite(d) else None for d in dice],
                    "mean_foreground_dice": mean_dice, "improved": improved,
                    "elapsed_seconds": time.perf_counter() - fit_started}
            self.write(line)
            if improved:
                self.best = dict(line)
            print(f"epoch {epoch + 1}/{args.epochs} loss {train_loss:.4f} val loss "
                  f"{val_loss:.4f} mean foreground Dice {mean_dice:.4f}"
                  f"{' (best)' if improved else ''}", flush=True)
        self.metrics.close()
        return self.finish(time.perf_counter() - fit_started)

    def finish(self, fit_seconds):
        best = self.best
        result = {"classes": self.class_names, "best": best, "epochs": self.args.epochs,
                  "steps": self.step, "class_weights": self.weights,
                  "initial_weights_replayed": self.replayed, "fit_seconds": fit_seconds,
                  "seconds": time.perf_counter() - self.started, "config": vars(self.args)}
        with open(os.path.join(self.args.out, "result.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
        print(f"Validation Dice of the best model (epoch {best['epoch'] + 1}):")
        width = max(len(n) for n in self.class_names)
        for name, d in zip(self.class_names, best["dice"]):
            value = "absent from the validation slices" if d is None else f"{d:.3f}"
            print(f"  {name:<{width}}  {value}")
        print(f"mean foreground Dice {best['mean_foreground_dice']:.4f}; "
              f"{result['seconds']:.1f} s in all")
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", help="a VOC dataset folder (as `medseg train` reads it)")
    parser.add_argument("--out", required=True, help="folder for metrics.jsonl and result.json")
    parser.add_argument("--epochs", type=int, default=40, help="default: the recipe's 40")
    parser.add_argument("--input-size", type=int, default=256)
    parser.add_argument("--output-stride", type=int, default=8, choices=[8, 16, 32])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backbone", default="resnet18", choices=pspnet_reference.BACKBONES)
    parser.add_argument("--in-channels", type=int, default=3,
                        help="models/ModelConfig.h's default 3: grey replicated")
    parser.add_argument("--stretch", action="store_true", help="as `medseg train --stretch`")
    parser.add_argument("--augmentation", choices=["none", "low"], default=None,
                        help="default: the recipe's (low)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--amp", default="auto", choices=["auto", "off", "bf16"],
                        help="auto: bf16 on CUDA, as medseg's default (TrainingConfig.h)")
    args = parser.parse_args()
    for name in ("epochs", "input_size", "batch", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive number")
    TrainingRun(args).fit()


if __name__ == "__main__":
    main()
