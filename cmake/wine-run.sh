#!/bin/sh
# Runs a Windows program under Wine for the mingw build's tests and examples.
# The prefix is private to the build directory (XIPC_WINEPREFIX, which the test
# set-up passes; else ./wineprefix in the current directory, which CTest makes
# the build directory), so a run never touches ~/.wine; WINEDEBUG=-all keeps
# Wine's own chatter out of the test output.
: "${XIPC_WINEPREFIX:=$PWD/wineprefix}"
WINEPREFIX=$XIPC_WINEPREFIX
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
if [ "$1" = "--init-prefix" ]; then
    # Create the prefix once, before the tests, and wait for Wine to settle.
    wineboot --init >/dev/null 2>&1
    status=$?
    wineserver -w
    exit $status
fi
exec wine "$@"
