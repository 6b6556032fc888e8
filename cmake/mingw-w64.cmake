# The part of the mingw-w64 toolchain files shared by both targets
# (cmake/mingw-w64-x86_64.cmake and cmake/mingw-w64-i686.cmake, which set
# XIPC_MINGW_TRIPLE and CMAKE_SYSTEM_PROCESSOR before including this):
# cross-compile for Windows and run the results under Wine, so that plain
# `ctest` runs the Windows build's test suite.
set(CMAKE_SYSTEM_NAME Windows)

set(_triple ${XIPC_MINGW_TRIPLE})
find_program(CMAKE_C_COMPILER NAMES ${_triple}-gcc-posix ${_triple}-gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${_triple}-g++-posix ${_triple}-g++)
find_program(CMAKE_RC_COMPILER NAMES ${_triple}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${_triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# Self-contained programs and DLLs: -static takes libgcc and libwinpthread
# from their static archives, so nothing built here needs libgcc_s_*.dll or
# libwinpthread-1.dll at run time. A DLL needs this as much as a program:
# C11 _Thread_local is emulated by libgcc, whose emulation calls
# libwinpthread in the "posix" mingw-w64 compilers, so a DLL linked with
# only -static-libgcc imports libwinpthread-1.dll. The system's import
# libraries (kernel32, advapi32, msvcrt) stay imports of Windows' own DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static")

# Every test and example runs through this wrapper: a private WINEPREFIX in
# the build directory and WINEDEBUG=-all (see cmake/wine-run.sh).
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/wine-run.sh")
set(XIPC_TEST_TIMEOUT_MULTIPLIER 6 CACHE STRING
    "Factor applied to every test's timeout (Wine starts processes slowly)")
