# Compiles every program of README.md, docs/ and examples/ with each of
# gcc and clang, as a user's strict build would:
#   -std=c11 -Wall -Wextra -Werror -O2
# so that no example teaches code that warns (a char ** forwarded to
# xipc_proc_spawn, a truncating snprintf, an unused result...). Run by the
# suite as
#   cmake -DSOURCES=a.c|b.c -DINCLUDE=include -DWORK=dir -P strict.cmake
# (sources separated by '|'). The programs are compiled with every one of
# the two that is installed; if one is missing, the test is reported as
# skipped ("SKIPPED:", .ci/run installs both) unless the other failed.
string(REPLACE "|" ";" _sources "${SOURCES}")
file(MAKE_DIRECTORY ${WORK})
set(_ran "")
set(_missing "")
set(_failed "")
foreach(_cc gcc clang)
  find_program(_path_${_cc} NAMES ${_cc})
  if(NOT _path_${_cc})
    list(APPEND _missing ${_cc})
    continue()
  endif()
  list(APPEND _ran ${_cc})
  foreach(_src IN LISTS _sources)
    get_filename_component(_name ${_src} NAME_WE)
    execute_process(
      COMMAND ${_path_${_cc}} -std=c11 -Wall -Wextra -Werror -O2
              -I${INCLUDE} -c ${_src} -o ${WORK}/${_cc}-${_name}.o
      RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
    if(NOT _rc EQUAL 0)
      list(APPEND _failed "${_cc}: ${_src}")
      message("${_cc} ${_src}:\n${_out}${_err}")
    endif()
  endforeach()
endforeach()
list(LENGTH _sources _n)
if(_failed)
  string(REPLACE ";" "\n  " _list "${_failed}")
  message(FATAL_ERROR "warnings or errors under -Wall -Wextra -Werror:\n  ${_list}")
endif()
if(_missing)
  message("SKIPPED: not installed: ${_missing} (checked with: ${_ran})")
  return()
endif()
string(REPLACE ";" " and " _ran "${_ran}")
message("all ${_n} programs compile cleanly with: ${_ran}")
