# Installs the xipc of a Windows build tree into a fresh prefix and checks,
# with objdump, that every DLL and program in its bin folder imports only
# Windows' own DLLs and files of that same folder: the folder is then all a
# user ships. Run by the test suite as
#   cmake -DBUILD_DIR=... -DWORK=... -DOBJDUMP=... -P pe_imports.cmake
# Passes with the line "N files import only Windows' own DLLs".
cmake_minimum_required(VERSION 3.25)

# DLLs that every supported Windows has in System32 (lower case); the
# api-ms-win-* API sets, which the Universal CRT uses, are matched apart.
set(system_dlls advapi32.dll bcrypt.dll kernel32.dll kernelbase.dll
    msvcrt.dll ntdll.dll ole32.dll shell32.dll ucrtbase.dll user32.dll
    ws2_32.dll)

if(NOT OBJDUMP)
  message(FATAL_ERROR "no objdump for this toolchain (CMAKE_OBJDUMP)")
endif()
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK}
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed (${rc}): ${err}")
endif()
file(GLOB files ${WORK}/bin/*.dll ${WORK}/bin/*.exe)
if(NOT files)
  message(FATAL_ERROR "the install put no DLL or program in ${WORK}/bin")
endif()
set(shipped "")
foreach(f IN LISTS files)
  get_filename_component(n ${f} NAME)
  string(TOLOWER "${n}" n)
  list(APPEND shipped ${n})
endforeach()

set(bad "")
list(LENGTH files count)
foreach(f IN LISTS files)
  execute_process(COMMAND ${OBJDUMP} -p ${f} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${OBJDUMP} -p ${f} failed (${rc}): ${err}")
  endif()
  string(REGEX MATCHALL "DLL Name: [^\n]+" names "${out}")
  get_filename_component(fn ${f} NAME)
  message("${fn}:")
  foreach(line IN LISTS names)
    string(REGEX REPLACE "^DLL Name: *" "" dll "${line}")
    string(STRIP "${dll}" dll)
    string(TOLOWER "${dll}" low)
    if(low IN_LIST system_dlls OR low MATCHES "^api-ms-win-")
      message("  ${dll} (Windows)")
    elseif(low IN_LIST shipped)
      message("  ${dll} (shipped beside it)")
    else()
      message("  ${dll} (NEITHER)")
      list(APPEND bad "${fn} imports ${dll}")
    endif()
  endforeach()
endforeach()
if(bad)
  list(JOIN bad "\n  " bad)
  message(FATAL_ERROR "DLLs a user would have to find elsewhere:\n  ${bad}")
endif()
message("${count} files import only Windows' own DLLs and each other")
