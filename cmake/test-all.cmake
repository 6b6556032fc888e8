# Runs the whole test suite: the native debug build, the ASan+UBSan build and
# the Windows build under Wine, each as a CMake workflow (configure, build,
# test). Usage, from the source directory:  cmake -P cmake/test-all.cmake
# Prerequisites: cmake, gcc, mingw-w64, wine (.ci/run installs them).
# Exits non-zero if any step of any workflow fails, after running them all.
set(_failed "")
foreach(_preset debug asan mingw)
  message(STATUS "==== workflow ${_preset} ====")
  execute_process(COMMAND ${CMAKE_COMMAND} --workflow --preset ${_preset}
                  WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR}/..
                  RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    list(APPEND _failed ${_preset})
  endif()
endforeach()
if(_failed)
  message(FATAL_ERROR "test-all: FAILED in: ${_failed}")
endif()
message(STATUS "test-all: native, asan and mingw/Wine suites all passed")
