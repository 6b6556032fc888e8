# Installs the xipc of a build tree into a fresh prefix, builds the consumer
# project (tests/consumer) against it and runs it. Run by the test suite as
#   cmake -DBUILD_DIR=... -DWORK=... -DMODE=find_package|pkg-config
#         [-DTOOLCHAIN=...] [-DEMULATOR=...] [-DCC=...] [-DCFLAGS=...]
#         [-DLDFLAGS=...] [-DCONFIG=build type] -P run.cmake
# find_package: a CMake project with find_package(xipc CONFIG);
# pkg-config:   the C compiler with `pkg-config --cflags --libs xipc`;
# subproject:   the CMake project with xipc's sources added as a
#               subdirectory (SOURCE_DIR), nothing installed.
# Passes when the consumer prints its line and exits 0.

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)
if(NOT MODE STREQUAL "subproject")
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
endif()

if(MODE STREQUAL "find_package" OR MODE STREQUAL "subproject")
  set(args -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK}/build
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=${CONFIG}
      "-DCMAKE_C_FLAGS=${CFLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LDFLAGS}")
  if(MODE STREQUAL "subproject")
    list(APPEND args -DXIPC_SOURCE_DIR=${SOURCE_DIR})
  endif()
  if(TOOLCHAIN)
    list(APPEND args -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN})
  endif()
  run(${CMAKE_COMMAND} ${args})
  run(${CMAKE_COMMAND} --build ${WORK}/build)
  file(GLOB exe ${WORK}/build/consumer ${WORK}/build/consumer.exe)
  file(GLOB_RECURSE extra ${WORK}/build/xipc/*xipc_tests*
       ${WORK}/build/xipc/*scoreboard*)
  if(extra)
    message(FATAL_ERROR "a subproject xipc built its tests or examples")
  endif()
elseif(MODE STREQUAL "pkg-config")
  find_program(PKG_CONFIG NAMES pkg-config pkgconf REQUIRED)
  set(ENV{PKG_CONFIG_PATH} "")
  file(GLOB_RECURSE pcs ${prefix}/*/xipc.pc)
  get_filename_component(pcdir "${pcs}" DIRECTORY)
  set(ENV{PKG_CONFIG_LIBDIR} ${pcdir})
  run(${PKG_CONFIG} --cflags --libs xipc)
  string(STRIP "${run_out}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  separate_arguments(cflags UNIX_COMMAND "${CFLAGS} ${LDFLAGS}")
  set(exe ${WORK}/consumer)
  run(${CC} ${cflags} ${CMAKE_CURRENT_LIST_DIR}/main.c -o ${exe} ${flags})
else()
  message(FATAL_ERROR "MODE must be find_package, pkg-config or subproject")
endif()

if(NOT exe)
  message(FATAL_ERROR "the consumer was not built")
endif()
# A shared libxipc is found where it was installed (find_package's build
# sets an rpath; the pkg-config line does not); under Wine, libxipc.dll in
# the prefix's bin folder, which Wine searches when WINEPATH names it.
set(ENV{LD_LIBRARY_PATH} "${prefix}/lib:$ENV{LD_LIBRARY_PATH}")
if(EMULATOR)
  set(ENV{WINEPATH} "Z:${prefix}/bin")
endif()
run(${EMULATOR} ${exe})
message("${run_out}")
