#!/usr/bin/env bash
# Copies what a lent GPU machine lacks from this Debian 12 machine's packages into .devdeps/
# (git-ignored; pass it to the device as a carried path): nlohmann_json (header-only, for
# medseg-bench) and ONNX + protobuf (libonnx-dev, libprotobuf-dev: the exporter, for
# medseg-bench-export). About 10 MB; the copies keep their packages' relative layout, so their CMake
# configs find themselves. Then, on the device:
#   NLOHMANN_DIR=$PWD/.devdeps/nlohmann/share/cmake/nlohmann_json ONNX_PREFIX=$PWD/.devdeps/onnx \
#       bash bench/gpu/run.sh onnx
set -euo pipefail
dest=$(cd "$(dirname "$0")/../.." && pwd)/.devdeps
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

mkdir -p "$dest/nlohmann/include" "$dest/nlohmann/share/cmake"
cp -r /usr/include/nlohmann "$dest/nlohmann/include/"
cp -r /usr/share/cmake/nlohmann_json "$dest/nlohmann/share/cmake/"

onnx=$dest/onnx
rm -rf "$onnx"
mkdir -p "$onnx/include/google" "$onnx/lib/$arch/cmake"
cp -r /usr/include/onnx "$onnx/include/"
cp -r /usr/include/google/protobuf "$onnx/include/google/"
cp -a /usr/lib/"$arch"/libonnx.so* /usr/lib/"$arch"/libonnx_proto.so* \
    /usr/lib/"$arch"/libonnxifi_dummy.so /usr/lib/"$arch"/libonnxifi_loader.a \
    /usr/lib/"$arch"/libprotobuf.so* "$onnx/lib/$arch/"
cp -r /usr/lib/"$arch"/cmake/ONNX "$onnx/lib/$arch/cmake/"
# ONNX's exported targets name one library outside the multiarch folder.
cp -a /usr/lib/libonnxifi.so "$onnx/lib/"
du -sh "$dest/nlohmann" "$onnx"
