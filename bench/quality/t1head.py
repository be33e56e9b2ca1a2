#!/usr/bin/env python3
"""ITK's example T1 head and its k-means label map as a VOC dataset `medseg train` reads.

The volume (KmeansTest_T1UCharRaw.nii.gz, 128 x 128 x 62 voxels of 2 x 2 x 3 mm, 8-bit values)
and its preliminary k-means segmentation (KmeansTest_T1KmeansPrelimSegmentation.nii.gz) come
with Debian's insighttoolkit5-examples. The slices that have labels become PNGs: the image as its
8-bit values are, the mask as class indexes (a palette PNG, as `medseg convert` writes them).
`--axis 2` (the default): the 62 slices of 128 x 128 along the volume's third axis (its z; the
header's orientation codes, LSA, make them coronal); `--axis 1`: the 128 slices of 128 x 62
(62 rows) along the second axis (axial), non-square, so the input is padded.

Classes: the k-means cluster 1 (the darkest: air around the head, 70% of the voxels) is the
background, clusters 2..6 are classes 1..5; the label map's 126 voxels of label 0 (not given a
cluster) are the ignore index 255, so they count nowhere.

The split is by slabs along that axis: `--val-slabs` slabs of `--slab` slices validate, evenly
spaced over the labeled slices (by default as many as make about a fifth), and the slice on
each side of a validation slab belongs to neither split, so that no neighbour of a validation
slice is in training (adjacent slices of a 2 or 3 mm volume look alike).

    /usr/bin/python3 bench/quality/t1head.py OUT_DIR
"""
import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

DATA = "/usr/share/doc/insighttoolkit5-examples/examples/Data"
IMAGE = "KmeansTest_T1UCharRaw.nii.gz"
LABELS = "KmeansTest_T1KmeansPrelimSegmentation.nii.gz"
CLASSES = ["background", "kmeans-2", "kmeans-3", "kmeans-4", "kmeans-5", "kmeans-6"]


def voc_palette():
    """core/dataset/detail/PngIo.cpp vocPalette()."""
    palette = []
    for index in range(256):
        c, colour = index, [0, 0, 0]
        for shift in range(7, -1, -1):
            for channel in range(3):
                colour[channel] |= ((c >> channel) & 1) << shift
            c >>= 3
        palette.append(colour)
    return palette


def find_input(data_dir, name):
    for candidate in (name, name[:-3]):  # .nii.gz, or unpacked .nii
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    raise SystemExit(f"{os.path.join(data_dir, name)}: missing (Debian: apt install "
                     "insighttoolkit5-examples)")


def slab_split(slices, slab, val_slabs):
    """Validation slabs evenly spaced over `slices` (consecutive positions along the axis); the
    slice on each side of each slab belongs to no split."""
    first, last = slices[0], slices[-1]
    count = last - first + 1
    if val_slabs is None:
        val_slabs = max(1, int(round(0.2 * count / slab)))
    val, gap = set(), set()
    for j in range(val_slabs):
        start = first + int(round((j + 1) * count / (val_slabs + 1))) - slab // 2
        if start < first + 1 or start + slab > last - 1:
            raise SystemExit(f"{val_slabs} slabs of {slab} slices do not fit {count} slices")
        val.update(range(start, start + slab))
        gap.update((start - 1, start + slab))
    if gap & val:
        raise SystemExit("validation slabs too close: they must be at least 2 slices apart")
    train = [z for z in slices if z not in val and z not in gap]
    for z in val:  # the promise: no neighbour of a validation slice is in training
        assert z - 1 not in train and z + 1 not in train
    return train, sorted(v for v in val if v in slices), sorted(g for g in gap if g in slices)


def write_t1head(out, data_dir=DATA, axis=2, slab=6, val_slabs=None):
    import nibabel  # python3-nibabel

    image = np.asanyarray(nibabel.load(find_input(data_dir, IMAGE)).dataobj)
    labels = np.asanyarray(nibabel.load(find_input(data_dir, LABELS)).dataobj)
    if image.shape != labels.shape or image.ndim != 3:
        raise SystemExit(f"the image {image.shape} and its labels {labels.shape} differ")
    if image.min() < 0 or image.max() > 255:
        raise SystemExit("the T1 image is expected to hold 8-bit values")
    mapping = np.full(256, 255, np.uint8)  # k-means label -> class index
    mapping[1:7] = np.arange(6)
    if labels.max() > 6:
        raise SystemExit("the k-means label map is expected to hold labels 0..6")

    os.makedirs(os.path.join(out, "JPEGImages"), exist_ok=True)
    os.makedirs(os.path.join(out, "SegmentationClass"), exist_ok=True)
    os.makedirs(os.path.join(out, "ImageSets", "Segmentation"), exist_ok=True)
    palette = [v for colour in voc_palette() for v in colour]
    if axis not in (1, 2):
        raise SystemExit("--axis must be 1 or 2")
    depth = image.shape[axis]
    kept = []
    for z in range(depth):
        # Rows: the other axis after the first, reversed (superior or anterior at the top);
        # columns: the first axis (the patient's left on the right).
        slice_image = np.flipud(np.take(image, z, axis=axis).T).astype(np.uint8)
        slice_mask = mapping[np.flipud(np.take(labels, z, axis=axis).T).astype(np.int64)]
        if not ((slice_mask > 0) & (slice_mask < 255)).any():
            continue  # only slices that have labels
        name = f"t1head_{'zy'[2 - axis]}{z:03d}"
        Image.fromarray(np.ascontiguousarray(slice_image), mode="L").save(
            os.path.join(out, "JPEGImages", name + ".png"))
        mask = Image.fromarray(np.ascontiguousarray(slice_mask), mode="P")
        mask.putpalette(palette)
        mask.save(os.path.join(out, "SegmentationClass", name + ".png"))
        kept.append(z)

    if not kept:
        raise SystemExit("no slice has labels")
    train, val, gap = slab_split(kept, slab, val_slabs)
    names = {z: f"t1head_{'zy'[2 - axis]}{z:03d}" for z in kept}
    splits = {"train": [names[z] for z in train if z in names],
              "val": [names[z] for z in val if z in names]}
    for split, items in (*splits.items(), ("trainval", splits["train"] + splits["val"])):
        with open(os.path.join(out, "ImageSets", "Segmentation", split + ".txt"), "w") as f:
            f.write("".join(item + "\n" for item in items))
    colours = voc_palette()
    with open(os.path.join(out, "labels.json"), "w") as f:
        json.dump({"labels": [{"index": i, "name": n, "color": colours[i]}
                              for i, n in enumerate(CLASSES)]}, f, indent=2)
    with open(os.path.join(out, "class_names.txt"), "w") as f:
        f.write("".join(n + "\n" for n in CLASSES))
    with open(os.path.join(out, "README.txt"), "w") as f:
        f.write(f"ITK's T1 head ({IMAGE}) with its k-means label map ({LABELS}), written by "
                f"bench/quality/t1head.py.\nSlices along axis {axis}; validation slices "
                f"{val}; left out as the validation slabs' neighbours {gap}.\n")
    return {"slices": len(kept), "train": len(splits["train"]), "val": len(splits["val"]),
            "gap": gap}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="the VOC folder to write")
    parser.add_argument("--data", default=DATA, help=f"where the ITK examples are ({DATA})")
    parser.add_argument("--axis", type=int, default=2, choices=[1, 2],
                        help="2: 62 slices of 128 x 128 (default); 1: 128 slices of 128 x 62")
    parser.add_argument("--slab", type=int, default=6, help="slices per validation slab")
    parser.add_argument("--val-slabs", type=int, default=None,
                        help="default: as many as make about a fifth of the labeled slices")
    args = parser.parse_args()
    info = write_t1head(args.out, args.data, args.axis, args.slab, args.val_slabs)
    print(f"{args.out}: {info['slices']} slices, {info['train']} train, {info['val']} val, "
          f"{len(info['gap'])} left out between them", file=sys.stderr)


if __name__ == "__main__":
    main()
