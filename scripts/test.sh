#!/usr/bin/env bash
# Installs what is missing, builds (Release) and runs the whole test suite with ctest.
# Exits non-zero on any failure. Extra arguments go to ctest (e.g. -R tst_Cli, -L gui).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

medseg_install_packages "${MEDSEG_BUILD_PACKAGES[@]}" "${MEDSEG_TEST_PACKAGES[@]}"
medseg_build
medseg_install_node_tools
# The real DICOM samples the tests read, from their Debian and npm packages: build/test-data.
"$MEDSEG_ROOT/scripts/test_data.sh"

medseg_log "Testing"
export QT_QPA_PLATFORM=offscreen
cd "$MEDSEG_BUILD"
ctest --output-on-failure --parallel "$(nproc 2>/dev/null || echo 2)" --timeout 900 "$@"
