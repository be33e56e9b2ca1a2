#!/usr/bin/env bash
# Checks the layering rules of docs/ARCHITECTURE.md on a source tree (default: this repository).
# Prints every violation as FILE:LINE: rule, and exits 1 if there is any.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

status=0
# check RULE DIRS... -- PATTERN : reports C++ includes under DIRS matching PATTERN (ERE).
check() {
    local rule=$1 pattern=$2
    shift 2
    local dirs=()
    for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
    [ ${#dirs[@]} -gt 0 ] || return 0
    local hits
    hits=$(grep -rnE --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.cc' \
               "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "${dirs[@]}" || true)
    if [ -n "$hits" ]; then
        while IFS= read -r line; do echo "${line%%:#*}: $rule"; done <<<"$hits"
        status=1
    fi
}
# check_cmake RULE PATTERN DIRS... : reports CMakeLists.txt under DIRS linking targets matching PATTERN.
check_cmake() {
    local rule=$1 pattern=$2
    shift 2
    local dirs=()
    for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
    [ ${#dirs[@]} -gt 0 ] || return 0
    local hits
    hits=$(grep -rnE --include='CMakeLists.txt' "$pattern" "${dirs[@]}" || true)
    if [ -n "$hits" ]; then
        while IFS= read -r line; do echo "${line%%:*}:$(cut -d: -f2 <<<"$line"): $rule"; done <<<"$hits"
        status=1
    fi
}

qt='Q[A-Z][A-Za-z0-9_]*(\.h)?[>"]|Qt[A-Za-z]+/|q[a-z]+\.h[>"]'
check "core/ and models/ must not use Qt" "$qt" core models
check "models/ and core/train must not use DCMTK or OpenCV" 'dcmtk/|opencv2?/' models core/train
check "ui/widgets must not include models/ or DCMTK directly" 'models/|dcmtk/' ui/widgets
check "only core/dicom may include DCMTK" 'dcmtk/' core/image core/labels core/dataset \
    core/train core/export core/imageio core/evaluation core/datasetio ui app
check "only core/imageio may use ITK" 'itk[A-Z]' core/common core/image core/labels \
    core/dataset core/dicom core/train core/export core/workspace core/mesh core/evaluation \
    core/datasetio \
    models ui app
# app/common reports VTK's version (vtkVersion.h), so only app/cli and app/studio are checked.
check "only core/mesh and ui/widgets may use VTK" 'vtk[A-Z]' core/common core/image core/labels \
    core/dataset core/dicom core/train core/export core/workspace models app/cli app/studio
check "ui/session must not use Qt Widgets or VTK" \
    'QtWidgets/|Q(Widget|MainWindow|Dialog|DockWidget|Menu|MenuBar|PushButton|Label|Application)[>"]|vtk' \
    ui/session

check_cmake "core/ and models/ must not link Qt" 'Qt6?::' core models
check_cmake "models/ and core/train must not link DCMTK or OpenCV" 'DCMTK::|opencv_|OpenCV' \
    models core/train
check_cmake "ui/widgets must not link models or DCMTK" 'medseg_models|DCMTK::' ui/widgets
check_cmake "only core/mesh and ui/widgets may link VTK" 'VTK::' core/common core/image \
    core/labels core/dataset core/dicom core/train core/export core/workspace models
check_cmake "only core/dicom may link DCMTK" 'DCMTK::' core/image core/labels core/dataset \
    core/train core/export core/imageio core/evaluation core/datasetio ui app
check_cmake "only core/imageio may link ITK" 'ITK[A-Z]|ITK_LIBRARIES' core/common core/image \
    core/labels core/dataset core/dicom core/train core/export core/workspace core/mesh models \
    ui app

if [ $status -eq 0 ]; then
    echo "layering: OK"
fi
exit $status
