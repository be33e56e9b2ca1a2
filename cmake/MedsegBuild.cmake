# Compiler settings and helpers shared by every MedSeg Studio target.

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# Torch headers use `slots` as an identifier, so Qt's keywords stay off everywhere.
add_compile_definitions(QT_NO_KEYWORDS)

# ccache, when present. Precompiled headers are only cacheable with these sloppiness settings.
find_program(MEDSEG_CCACHE ccache)
if(MEDSEG_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        "${CMAKE_COMMAND}" -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        # Paths relative to the checkout, so that every clone (CI's, a second worktree) shares
        # one cache.
        "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
        "${MEDSEG_CCACHE}")
    message(STATUS "Using ccache: ${MEDSEG_CCACHE}")
endif()

# Project code is warning-clean with -Wall -Wextra; third-party headers come in through imported
# targets, whose include directories CMake marks SYSTEM.
function(medseg_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra)
    if(MEDSEG_CCACHE)
        target_compile_options(${target} PRIVATE -fpch-preprocess)
    endif()
endfunction()

# medseg_add_library(NAME [SOURCES...]) - a static library of one folder of the tree. Include
# paths are rooted at the repository (`#include "core/dicom/DicomToolkit.h"`).
function(medseg_add_library name)
    add_library(${name} STATIC ${ARGN})
    target_include_directories(${name} PUBLIC "${PROJECT_SOURCE_DIR}")
    medseg_set_warnings(${name})
endfunction()

# medseg::torch wraps LibTorch and a precompiled header shared (REUSE_FROM) by every
# torch-heavy target, so torch's headers are parsed once per build rather than once per file.
macro(medseg_torch_target)
    if(NOT TARGET medseg_torch)
        add_library(medseg_torch INTERFACE)
        target_link_libraries(medseg_torch INTERFACE ${TORCH_LIBRARIES})
        add_library(medseg::torch ALIAS medseg_torch)
        # A LibTorch built with CUDA (Debian's is CPU-only): code that needs CUDA's own headers
        # (CUDA graphs, streams) is compiled in under MEDSEG_WITH_CUDA.
        if(TARGET torch_cuda OR MEDSEG_TORCH_ROOT_CUDA)
            set(MEDSEG_WITH_CUDA ON)
            target_compile_definitions(medseg_torch INTERFACE MEDSEG_WITH_CUDA=1)
            # Such a LibTorch (pip wheels, LibTorch zips) is built against an older libstdc++ and
            # carries the newer parts it uses, std::filesystem among them, inside its libraries,
            # exported. The pip wheel's libtorch.so exports std::filesystem::remove_all, but leaves
            # the recursive_directory_iterator it calls as weak undefined symbols, so a call that
            # binds to its copy jumps to address 0 (medseg-bench --trainer-check crashed that
            # way on an H200 machine). The system's libstdc++ must therefore come before LibTorch
            # among the needed libraries. `-lstdc++` does not do that where the compiler's own
            # libstdc++ is a static archive (a plain `-lstdc++` then pulls nothing at the front of
            # the line), so name the shared object itself.
            find_library(MEDSEG_SYSTEM_LIBSTDCXX NAMES libstdc++.so.6)
            if(MEDSEG_SYSTEM_LIBSTDCXX)
                target_link_options(medseg_torch INTERFACE
                    "LINKER:--push-state,--no-as-needed" "-l:libstdc++.so.6" "LINKER:--pop-state")
            else()
                message(WARNING "libstdc++.so.6 not found: LibTorch's own copies of std::filesystem "
                                "may take precedence over the system's")
            endif()
        else()
            set(MEDSEG_WITH_CUDA OFF)
        endif()

        add_library(medseg_torch_pch OBJECT "${PROJECT_SOURCE_DIR}/cmake/torch_pch.cpp")
        target_link_libraries(medseg_torch_pch PRIVATE medseg_torch)
        medseg_set_warnings(medseg_torch_pch)
        target_precompile_headers(medseg_torch_pch PRIVATE
            <torch/nn.h> <torch/optim.h> <torch/serialize.h> <ATen/ATen.h>)
    endif()
endmacro()

function(medseg_use_torch_pch target)
    target_precompile_headers(${target} REUSE_FROM medseg_torch_pch)
    # AUTOMOC's mocs_compilation.cpp includes no torch (tests include their own .moc files),
    # but with the header it loads the whole torch PCH: about 9 s per target on a cold build.
    get_target_property(automoc ${target} AUTOMOC)
    if(automoc)
        set_source_files_properties(
            "${CMAKE_CURRENT_BINARY_DIR}/${target}_autogen/mocs_compilation.cpp"
            TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
    # The header is compiled with -fPIC; GCC silently ignores it (and parses torch again) in a
    # translation unit compiled with -fPIE, as executables are.
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
        target_compile_options(${target} PRIVATE -fPIC)
    endif()
endfunction()
