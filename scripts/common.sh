# Shared by scripts/run.sh and scripts/test.sh: install what is missing, configure, build.
# Sourced, not run. Idempotent: on a built tree with everything installed it takes seconds.

MEDSEG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MEDSEG_BUILD=${MEDSEG_BUILD:-$MEDSEG_ROOT/build}

# Debian 12 packages needed to build and run (see ../shared/docs/PITFALLS.md for why each).
MEDSEG_BUILD_PACKAGES=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-tools-dev qt6-l10n-tools libqt6opengl6-dev qt6-charts-dev
    qt6-qpa-plugins qt6-translations-l10n fonts-noto-cjk
    libtorch-dev libopenblas0-pthread libonnx-dev libprotobuf-dev protobuf-compiler
    libdcmtk-dev libopenjp2-7-dev libopencv-dev libvtk9-dev nlohmann-json3-dev
    libnifti2-dev libinsighttoolkit5-dev
)
# Extra packages for the test suite: an X server for GUI tests that need one, DCMTK's tools
# for reference renders, GDCM's gdcmconv for JPEG 2000 references, pydicom for the DICOM
# benchmark's reference, torchvision to check weight import, dpkg-dev to build the .deb, zlib
# to make a "zip bomb" weight file.
MEDSEG_TEST_PACKAGES=(
    xvfb xauth dcmtk libgdcm-tools python3-pydicom python3-torchvision dpkg-dev python3-nibabel
    insighttoolkit5-examples zlib1g-dev
)

medseg_log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# medseg_install_packages PKG... : installs those not installed yet, through apt-get only.
medseg_install_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != "installed" ]; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    medseg_log "Installing ${#missing[@]} Debian packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
}

# medseg_build [--target NAME]... [CMAKE ARGS...] : configures (Release, Ninja) if needed and
# builds the targets named, or everything (the tests included) without --target.
medseg_build() {
    local jobs targets=()
    while [ $# -gt 0 ] && [ "$1" = --target ]; do
        targets+=(--target "$2")
        shift 2
    done
    jobs=$(nproc 2>/dev/null || echo 2)
    if [ ! -f "$MEDSEG_BUILD/CMakeCache.txt" ]; then
        medseg_log "Configuring in $MEDSEG_BUILD"
        cmake -S "$MEDSEG_ROOT" -B "$MEDSEG_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    fi
    medseg_log "Building ($jobs jobs)"
    cmake --build "$MEDSEG_BUILD" --parallel "$jobs" "${targets[@]}"
}

# medseg_install_node_tools : package.json's packages into ./node_modules: onnxruntime-node for
# the ONNX export tests and bench/onnx_latency.js, and (devDependencies) the npm packages whose
# DICOM samples scripts/test_data.sh copies; Node.js and npm through apt only when `node` is
# missing. --ignore-scripts and ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's install script
# would fetch GPU libraries.
medseg_install_node_tools() {
    command -v node >/dev/null || medseg_install_packages nodejs npm
    local pkg installed=1
    for pkg in $(cd "$MEDSEG_ROOT" && node -p "const p = require('./package.json');
            Object.keys({...p.dependencies, ...p.devDependencies}).join(' ')"); do
        [ -f "$MEDSEG_ROOT/node_modules/$pkg/package.json" ] || installed=0
    done
    if [ $installed -eq 1 ] &&
        [ "$MEDSEG_ROOT/node_modules/.package-lock.json" -nt "$MEDSEG_ROOT/package.json" ]; then
        return 0
    fi
    medseg_log "Installing the npm packages of package.json"
    (cd "$MEDSEG_ROOT" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund \
        --ignore-scripts --loglevel=error)
}
