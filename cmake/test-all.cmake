# Runs every test of every platform and toolchain xipc is tested on, from a
# fresh Debian machine:  cmake -P cmake/test-all.cmake
#
# First it looks for the tools the workflows need (gcc, clang and its
# sanitizer runtime, gcc -m32, mingw-w64, Wine, pkg-config). What is missing
# it installs with apt-get (as root, or through sudo when sudo needs no
# password); where it cannot, it stops and names in one line the command
# that does. Then it runs each workflow below and, after all of them, says
# which passed and exits non-zero if any failed.
#
# Options (-D before -P):
#   -DXIPC_INSTALL=OFF       only check; name what is missing, install nothing
#   -DONLY="debug;mingw"     run these workflows only
cmake_minimum_required(VERSION 3.25)

# A workflow is a workflow preset of CMakePresets.json. Its mode says what
# runs:
#   full     configure, build and the whole suite (cmake --workflow)
#   build    configure and build only, with warnings as errors: a build
#            whose suite cannot pass yet, kept compiling (the reason says why)
#   wine32   build; then the whole suite if this machine's Wine runs 32-bit
#            Windows programs, else the reason is reported
#   pending  not run at all (the reason says why)
# Each entry: name|mode|requirements|reason (no semicolons in a reason).
set(_workflows
  "debug|full|gcc pkgconf|"
  "clang|full|clang pkgconf|"
  "asan|full|clang asan pkgconf|"
  "shared|full|gcc pkgconf|"
  "linux32|full|m32 pkgconf|"
  "mingw|full|mingw64 wine|"
  "mingw-shared|full|mingw64 wine|"
  "mingw32|wine32|mingw32 wine|this machine's Wine cannot run 32-bit Windows programs (Debian: wine32:i386)"
  "musl|full|musl|"
)

# Requirement -> the Debian packages that satisfy it.
set(_pkg_gcc "gcc libc6-dev")
set(_pkg_clang "clang")
set(_pkg_asan "libclang-rt-dev")
set(_pkg_m32 "gcc-multilib")
set(_pkg_musl "musl-tools")
set(_pkg_mingw64 "mingw-w64")
set(_pkg_mingw32 "mingw-w64")
set(_pkg_wine "wine wine64")
set(_pkg_pkgconf "pkgconf")

get_filename_component(_src "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(_probe "${_src}/build/test-all-probe")
file(MAKE_DIRECTORY "${_probe}")
file(WRITE "${_probe}/main.c" "int main(void) { return 0; }\n")

# _links(result compiler flags...): whether the compiler builds a program.
function(_links result compiler)
  find_program(cc ${compiler} NO_CACHE)
  set(ok FALSE)
  if(cc)
    execute_process(COMMAND ${cc} ${ARGN} "${_probe}/main.c"
                            -o "${_probe}/main.out"
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(ok TRUE)
    endif()
  endif()
  set(${result} ${ok} PARENT_SCOPE)
endfunction()

# _have(result requirement): whether this machine meets the requirement.
function(_have result req)
  set(ok FALSE)
  if(req STREQUAL "gcc")
    _links(ok gcc)
  elseif(req STREQUAL "clang")
    _links(ok clang)
  elseif(req STREQUAL "asan")
    _links(ok clang -fsanitize=address,undefined)
  elseif(req STREQUAL "m32")
    _links(ok gcc -m32)
  elseif(req STREQUAL "musl")
    _links(ok musl-gcc)
  elseif(req STREQUAL "mingw64")
    _links(ok x86_64-w64-mingw32-gcc)
  elseif(req STREQUAL "mingw32")
    _links(ok i686-w64-mingw32-gcc)
  elseif(req STREQUAL "wine")
    # Debian splits Wine: `wine` is the launcher, the 64-bit loader is in
    # wine64.
    find_program(wine wine NO_CACHE)
    find_program(wine64 NAMES wine64 PATHS /usr/lib/wine NO_CACHE)
    if(wine AND wine64)
      set(ok TRUE)
    endif()
  elseif(req STREQUAL "pkgconf")
    find_program(pc NAMES pkg-config pkgconf NO_CACHE)
    if(pc)
      set(ok TRUE)
    endif()
  else()
    message(FATAL_ERROR "test-all: unknown requirement ${req}")
  endif()
  set(${result} ${ok} PARENT_SCOPE)
endfunction()

# ---- which workflows, and what they need ---------------------------------
set(_run "")
set(_reqs "")
foreach(_w IN LISTS _workflows)
  string(REPLACE "|" ";" _f "${_w}")
  list(GET _f 0 _name)
  list(GET _f 1 _mode)
  list(GET _f 2 _req)
  if(ONLY AND NOT _name IN_LIST ONLY)
    continue()
  endif()
  list(APPEND _run "${_w}")
  if(NOT _mode STREQUAL "pending")
    separate_arguments(_req)
    list(APPEND _reqs ${_req})
  endif()
endforeach()
list(REMOVE_DUPLICATES _reqs)
if(NOT _run)
  message(FATAL_ERROR "test-all: no workflow named in ONLY=${ONLY}")
endif()

# ---- the tools: find them, install what is missing -----------------------
function(_missing out_reqs out_pkgs)
  set(reqs "")
  set(pkgs "")
  foreach(r IN LISTS _reqs)
    _have(ok ${r})
    if(NOT ok)
      list(APPEND reqs ${r})
      separate_arguments(p UNIX_COMMAND "${_pkg_${r}}")
      list(APPEND pkgs ${p})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES pkgs)
  set(${out_reqs} "${reqs}" PARENT_SCOPE)
  set(${out_pkgs} "${pkgs}" PARENT_SCOPE)
endfunction()

_missing(_mreqs _mpkgs)
if(_mreqs)
  list(JOIN _mreqs ", " _mr)
  list(JOIN _mpkgs " " _mp)
  set(_how "sudo apt-get install -y --no-install-recommends ${_mp}")
  find_program(_aptget apt-get NO_CACHE)
  set(_sudo "")
  set(_can FALSE)
  if(_aptget AND NOT XIPC_INSTALL STREQUAL "OFF")
    execute_process(COMMAND id -u OUTPUT_VARIABLE _uid
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(_uid STREQUAL "0")
      set(_can TRUE)
    else()
      execute_process(COMMAND sudo -n true RESULT_VARIABLE _rc
                      OUTPUT_QUIET ERROR_QUIET)
      if(_rc EQUAL 0)
        set(_sudo sudo)
        set(_can TRUE)
      endif()
    endif()
  endif()
  if(NOT _can)
    # Plain messages, so the command stays on one line to copy.
    message("test-all: missing ${_mr}; install them with:")
    message("${_how}")
    message(FATAL_ERROR "test-all: stopped before any workflow")
  endif()
  message(STATUS "test-all: missing ${_mr}; installing: ${_mp}")
  set(ENV{DEBIAN_FRONTEND} noninteractive)
  # An index that fails to download (a mirror mid-sync) makes apt-get
  # update exit 100 although the rest is usable: the install decides.
  execute_process(COMMAND ${_sudo} apt-get update RESULT_VARIABLE _rc)
  execute_process(COMMAND ${_sudo} apt-get install -y --no-install-recommends
                          ${_mpkgs} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "test-all: apt-get install ${_mp} failed (${_rc})")
  endif()
  _missing(_mreqs _mpkgs)
  if(_mreqs)
    list(JOIN _mreqs ", " _mr)
    message(FATAL_ERROR "test-all: still missing after the install: ${_mr}")
  endif()
endif()
file(REMOVE_RECURSE "${_probe}")

# ---- the workflows -------------------------------------------------------
# _step(result label command...): runs one command in the source directory,
# its output shown as it comes and kept; adds the suite's counts to the
# totals.
set(_passed 0)
set(_failed 0)
function(_step result)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${_src}"
                  RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ECHO_OUTPUT_VARIABLE
                  ERROR_VARIABLE err ECHO_ERROR_VARIABLE)
  if(out MATCHES "tests passed, ([0-9]+) tests? failed out of ([0-9]+)")
    math(EXPR p "${_passed} + ${CMAKE_MATCH_2} - ${CMAKE_MATCH_1}")
    math(EXPR f "${_failed} + ${CMAKE_MATCH_1}")
    set(_passed ${p} PARENT_SCOPE)
    set(_failed ${f} PARENT_SCOPE)
  endif()
  set(${result} ${rc} PARENT_SCOPE)
endfunction()

set(_summary "")
set(_bad "")
foreach(_w IN LISTS _run)
  string(REPLACE "|" ";" _f "${_w}")
  list(GET _f 0 _name)
  list(GET _f 1 _mode)
  list(GET _f 3 _why)
  string(TIMESTAMP _t0 "%s")
  if(_mode STREQUAL "pending")
    list(APPEND _summary "${_name}: PENDING, not run: ${_why}")
    continue()
  endif()
  message(STATUS "==== workflow ${_name} (${_mode}) ====")
  if(_mode STREQUAL "full")
    _step(_rc ${CMAKE_COMMAND} --workflow --preset ${_name})
    set(_done "passed")
  else()
    _step(_rc ${CMAKE_COMMAND} --preset ${_name})
    if(_rc EQUAL 0)
      _step(_rc ${CMAKE_COMMAND} --build --preset ${_name})
    endif()
    set(_done "BUILT only, suite not run: ${_why}")
    if(_rc EQUAL 0 AND _mode STREQUAL "wine32")
      # Whether Wine runs this build's programs: the suite lists its tests.
      set(_bin "${_src}/build/${_name}")
      set(ENV{XIPC_WINEPREFIX} "${_bin}/wineprefix")
      execute_process(COMMAND ${_src}/cmake/wine-run.sh --init-prefix
                      OUTPUT_QUIET ERROR_QUIET)
      execute_process(COMMAND ${_src}/cmake/wine-run.sh
                              ${_bin}/tests/xipc_tests.exe --list
                      RESULT_VARIABLE _lrc OUTPUT_VARIABLE _list ERROR_QUIET)
      unset(ENV{XIPC_WINEPREFIX})
      if(_lrc EQUAL 0 AND _list MATCHES "\n")
        _step(_rc ${CMAKE_CTEST_COMMAND} --preset ${_name})
        set(_done "passed")
      endif()
    endif()
  endif()
  string(TIMESTAMP _t1 "%s")
  math(EXPR _secs "${_t1} - ${_t0}")
  if(_rc EQUAL 0)
    list(APPEND _summary "${_name}: ${_done} (${_secs} s)")
  else()
    list(APPEND _summary "${_name}: FAILED (${_secs} s)")
    list(APPEND _bad ${_name})
  endif()
endforeach()

message(STATUS "==== test-all summary ====")
foreach(_line IN LISTS _summary)
  message(STATUS "${_line}")
endforeach()
if(_bad)
  message(STATUS "test-all: ${_passed} passed, ${_failed} failed")
  message(FATAL_ERROR "test-all: FAILED in: ${_bad}")
endif()
message("test-all: ${_passed} passed, ${_failed} failed")
