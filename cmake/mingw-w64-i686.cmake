# Toolchain: cross-compile xipc for 32-bit Windows (i686) with mingw-w64.
# Its programs run under Wine only where Wine can run 32-bit Windows
# programs (on Debian: wine32:i386 beside wine64); cmake/wine-run.sh refuses
# them, rather than let them pass unrun, where it cannot.
set(CMAKE_SYSTEM_PROCESSOR i686)
set(XIPC_MINGW_TRIPLE i686-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64.cmake)
