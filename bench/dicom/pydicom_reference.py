#!/usr/bin/python3
"""What medseg-dicom-bench measures, done with pydicom and NumPy on the same files.

Run with Debian's interpreter (/usr/bin/python3, package python3-pydicom); prints one JSON
object: index_files_per_s, load_slices_per_s, window_ms. Each figure is the best of `repeats`.
"""
import json
import os
import sys
import time

import numpy as np
import pydicom


def files_in(folder):
    return sorted(os.path.join(root, name)
                  for root, _, names in os.walk(folder) for name in names)


def index(paths):
    # Header only, grouped by series, as DicomIndexer does.
    series = {}
    for path in paths:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        series.setdefault(ds.SeriesInstanceUID, []).append(
            (int(ds.InstanceNumber), path, ds.ImagePositionPatient))
    return series


def load(paths):
    # Sorted along the slice normal, rescaled to float32: the volume SeriesLoader builds.
    slices = []
    for path in paths:
        ds = pydicom.dcmread(path)
        slices.append(ds)
    row = np.array(slices[0].ImageOrientationPatient[:3], dtype=float)
    col = np.array(slices[0].ImageOrientationPatient[3:], dtype=float)
    normal = np.cross(row, col)
    slices.sort(key=lambda ds: float(np.dot(normal, np.array(ds.ImagePositionPatient, dtype=float))))
    volume = np.empty((len(slices), slices[0].Rows, slices[0].Columns), dtype=np.float32)
    for k, ds in enumerate(slices):
        volume[k] = ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    return volume


def window(slice_, center, width):
    # PS3.3 C.11.2.1.2.1, vectorised.
    y = ((slice_ - (center - 0.5)) / (width - 1) + 0.5) * 255.0
    return np.clip(y, 0, 255).astype(np.uint8)


def best(function, repeats):
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    folder = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    paths = files_in(folder)
    index_time, _ = best(lambda: index(paths), repeats)
    load_time, volume = best(lambda: load(paths), repeats)
    middle = volume[len(volume) // 2]
    window_time, _ = best(lambda: window(middle, 40.0, 400.0), 50)
    print(json.dumps({
        "pydicom": pydicom.__version__,
        "files": len(paths),
        "index_files_per_s": len(paths) / index_time,
        "load_slices_per_s": len(volume) / load_time,
        "window_ms": window_time * 1000.0,
    }))


if __name__ == "__main__":
    main()
