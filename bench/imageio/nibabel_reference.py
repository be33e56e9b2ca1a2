"""nibabel's time to read a NIfTI header and its voxels (get_fdata), for medseg-imageio-bench.
Prints JSON: {"header_ms": median, "read_ms": median}."""
import json
import statistics
import sys
import time

import nibabel

path, repeats = sys.argv[1], int(sys.argv[2])
header, read = [], []
for _ in range(repeats):
    start = time.perf_counter()
    image = nibabel.load(path)
    image.header.get_data_shape()
    header.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    nibabel.load(path).get_fdata(dtype="float32")
    read.append((time.perf_counter() - start) * 1000)
print(json.dumps({"header_ms": statistics.median(header), "read_ms": statistics.median(read)}))
