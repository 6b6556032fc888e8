# Toolchain: a 32-bit (i686) Linux build on an x86-64 Linux machine, with the
# machine's gcc and -m32 (on Debian: gcc-multilib). The programs run natively,
# so this is not cross-compiling and the whole suite runs as it is.
find_program(CMAKE_C_COMPILER NAMES gcc REQUIRED)
set(CMAKE_C_FLAGS_INIT "-m32")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-m32")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-m32")
# Libraries are looked for in the 32-bit folders (/usr/lib32 and
# /usr/lib/i386-linux-gnu), never in the machine's 64-bit ones.
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)
set_property(GLOBAL PROPERTY FIND_LIBRARY_USE_LIB32_PATHS TRUE)
set_property(GLOBAL PROPERTY FIND_LIBRARY_USE_LIB64_PATHS FALSE)
# No C++ compiler: g++ -m32 would need g++-multilib's 32-bit libstdc++, and
# the only C++ is the benchmarks' optional Boost peer, which the 64-bit
# builds measure.
set(CMAKE_CXX_COMPILER "" CACHE FILEPATH "no C++ compiler for -m32" FORCE)
