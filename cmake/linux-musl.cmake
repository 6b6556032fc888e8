# Toolchain: a Linux build against musl instead of glibc, with musl-gcc (on
# Debian: musl-tools). The programs run natively, so the whole suite runs.
#
# musl-gcc sees musl's headers only, not the kernel's (<linux/futex.h>);
# a folder in the build tree links the kernel's header folders (linux, asm,
# asm-generic, as Alpine's linux-headers package provides them) and is
# searched after musl's, so no glibc header can slip in.
find_program(CMAKE_C_COMPILER NAMES musl-gcc REQUIRED)
set(_kh ${CMAKE_BINARY_DIR}/musl-kernel-headers)
if(NOT EXISTS ${_kh}/linux)
  set(_asm /usr/include/${CMAKE_HOST_SYSTEM_PROCESSOR}-linux-gnu/asm)
  if(NOT EXISTS ${_asm})
    set(_asm /usr/include/asm)
  endif()
  file(MAKE_DIRECTORY ${_kh})
  file(CREATE_LINK /usr/include/linux ${_kh}/linux SYMBOLIC)
  file(CREATE_LINK /usr/include/asm-generic ${_kh}/asm-generic SYMBOLIC)
  file(CREATE_LINK ${_asm} ${_kh}/asm SYMBOLIC)
endif()
set(CMAKE_C_FLAGS_INIT "-idirafter ${_kh}")
# musl-gcc is a C compiler only: the benchmarks' C++ peer (Boost) stays out.
set(CMAKE_CXX_COMPILER "" CACHE FILEPATH "no C++ compiler for musl" FORCE)
