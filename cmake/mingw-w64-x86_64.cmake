# Toolchain: cross-compile xipc for 64-bit Windows with mingw-w64, and run the
# results under Wine (wine64), so that plain `ctest` runs the Windows build's
# test suite.
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(XIPC_MINGW_TRIPLE x86_64-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64.cmake)
