# LibTorch from a tree, without its own CMake config: MEDSEG_TORCH_ROOT holds include/ and lib/
# (a LibTorch zip, or the torch/ folder of a pip wheel). For machines where TorchConfig.cmake
# cannot find what it looks for (its CUDA toolkit's version, cuDNN's headers) although the
# libraries themselves are complete. Sets TORCH_LIBRARIES and Torch_VERSION as find_package would.

set(_root "${MEDSEG_TORCH_ROOT}")
set(_version_header "${_root}/include/torch/csrc/api/include/torch/version.h")
if(NOT EXISTS "${_version_header}")
    message(FATAL_ERROR "MEDSEG_TORCH_ROOT=${_root} holds no LibTorch headers (${_version_header})")
endif()
file(STRINGS "${_version_header}" _version_line REGEX "#define TORCH_VERSION \"")
string(REGEX REPLACE ".*\"([^\"]*)\".*" "\\1" Torch_VERSION "${_version_line}")

# The C++ ABI the libraries were built with (pip wheels: the new one since 2.7).
set(MEDSEG_TORCH_CXX11_ABI 1 CACHE STRING "_GLIBCXX_USE_CXX11_ABI of the LibTorch at MEDSEG_TORCH_ROOT")

add_library(medseg_libtorch INTERFACE IMPORTED)
target_include_directories(medseg_libtorch SYSTEM INTERFACE
    "${_root}/include" "${_root}/include/torch/csrc/api/include")
target_compile_definitions(medseg_libtorch INTERFACE
    _GLIBCXX_USE_CXX11_ABI=${MEDSEG_TORCH_CXX11_ABI})
set(_libs "${_root}/lib/libtorch_cpu.so" "${_root}/lib/libc10.so")
if(EXISTS "${_root}/lib/libtorch_cuda.so")
    find_package(CUDAToolkit REQUIRED)
    # torch_cuda registers the CUDA kernels from static initialisers: nothing references it
    # directly, so the linker must not drop it.
    list(APPEND _libs "-Wl,--no-as-needed" "${_root}/lib/libtorch_cuda.so"
         "${_root}/lib/libc10_cuda.so" "-Wl,--as-needed" CUDA::cudart)
    set(MEDSEG_TORCH_ROOT_CUDA ON)
endif()
target_link_libraries(medseg_libtorch INTERFACE "${_root}/lib/libtorch.so" ${_libs})
set_target_properties(medseg_libtorch PROPERTIES INTERFACE_LINK_OPTIONS "-Wl,-rpath,${_root}/lib")
set(TORCH_LIBRARIES medseg_libtorch)
message(STATUS "LibTorch ${Torch_VERSION} from ${_root} (without its CMake config)")
