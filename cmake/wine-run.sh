#!/bin/sh
# Runs a Windows program under Wine for the mingw builds' tests and examples.
# The prefix is private to the build directory (XIPC_WINEPREFIX, which the test
# set-up passes; else ./wineprefix in the current directory, which CTest makes
# the build directory), so a run never touches ~/.wine; WINEDEBUG=-all keeps
# Wine's own chatter out of the test output. A shared build's tests pass the
# folder of libxipc.dll in WINEPATH, which Wine adds to the DLL search path.
: "${XIPC_WINEPREFIX:=$PWD/wineprefix}"
WINEPREFIX=$XIPC_WINEPREFIX
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
if [ "$1" = "--init-prefix" ]; then
    # Create the prefix once, before the tests, and start its wineserver and
    # Wine's own system programs (services.exe, winedevice.exe, ...) here,
    # away from every test's output: they inherit the standard error of the
    # program that starts them and keep it open for as long as the server
    # lives, so a test that happened to start them would seem to hang until
    # the whole run ended. The server stays 60 s after the last program
    # (the gaps between tests are shorter); --stop-prefix ends it.
    wineserver -p60 </dev/null >/dev/null 2>&1
    wineboot --init </dev/null >/dev/null 2>&1
    exit $?
fi
if [ "$1" = "--stop-prefix" ]; then
    # After the tests: end the prefix's wineserver and system programs, so
    # that a run leaves no process behind.
    wineserver -k </dev/null >/dev/null 2>&1
    wineserver -w </dev/null >/dev/null 2>&1
    exit 0
fi

# pe_machine FILE: prints the machine field of a PE program's COFF header
# (014c for i386, 8664 for x86-64), or nothing for another kind of file.
pe_machine() {
    [ -f "$1" ] || return 0
    off=$(od -An -tu4 -j60 -N4 "$1" 2>/dev/null | tr -d ' ')
    [ -n "$off" ] || return 0
    sig=$(od -An -tx1 -j"$off" -N4 "$1" 2>/dev/null | tr -d ' ')
    [ "$sig" = "50450000" ] || return 0
    od -An -tx2 -j$((off + 4)) -N2 "$1" | tr -d ' '
}

# A 64-bit Wine without its 32-bit half (Debian's wine64 without
# wine32:i386) starts a 32-bit program, prints nothing and exits 0, which
# would make every test of the i686 build pass unrun. Such a Wine leaves the
# prefix's syswow64 folder without ntdll.dll: refuse the program then.
if [ "$(pe_machine "$1")" = "014c" ]; then
    if [ ! -d "$WINEPREFIX" ]; then
        wineboot --init >/dev/null 2>&1
        wineserver -w
    fi
    wow=$WINEPREFIX/drive_c/windows/syswow64
    if [ -d "$wow" ] && [ ! -f "$wow/ntdll.dll" ]; then
        echo "wine-run.sh: this Wine cannot run 32-bit Windows programs" \
             "($wow has no ntdll.dll; on Debian: dpkg --add-architecture" \
             "i386 && apt-get update && apt-get install wine32:i386): $1" >&2
        exit 127
    fi
fi
exec wine "$@"
