# The complete programs of README.md and docs/*.md (every ```c block that
# includes <xipc.h> and has a main()) are built and run as tests, natively
# and under Wine, so that the guide's examples keep compiling and working as
# the API changes; XIPC_DOC_SOURCES lists them for the strict compile
# (tests/strict.cmake). Semicolons and brackets are hidden while CMake
# handles the text as a list, which they would split or merge.
file(GLOB _pages ${PROJECT_SOURCE_DIR}/docs/*.md)
list(APPEND _pages ${PROJECT_SOURCE_DIR}/README.md)
set(XIPC_DOC_SOURCES "")
foreach(_page IN LISTS _pages)
  get_filename_component(_stem ${_page} NAME_WE)
  if(_page STREQUAL "${PROJECT_SOURCE_DIR}/README.md")
    set(_stem top_README) # not docs/README.md
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_page})
  file(READ ${_page} _text)
  string(REPLACE ";" "@SEMI@" _text "${_text}")
  string(REPLACE "[" "@LB@" _text "${_text}")
  string(REPLACE "]" "@RB@" _text "${_text}")
  string(REGEX MATCHALL "```c\n[^`]*```" _blocks "${_text}")
  # Every C block must be extracted: one holding a backtick would not be,
  # and its program would silently go untested.
  string(REGEX MATCHALL "```c\n" _opened "${_text}")
  list(LENGTH _opened _want)
  list(LENGTH _blocks _got)
  if(NOT _want EQUAL _got)
    message(FATAL_ERROR "${_page}: ${_want} C blocks, ${_got} extracted "
                        "(a block holds a backtick?)")
  endif()
  set(_n 0)
  foreach(_block IN LISTS _blocks)
    if(NOT _block MATCHES "int main\\(" OR
       NOT _block MATCHES "#include <xipc.h>")
      continue()
    endif()
    math(EXPR _n "${_n} + 1")
    string(REGEX REPLACE "^```c\n" "" _code "${_block}")
    string(REGEX REPLACE "```$" "" _code "${_code}")
    string(REPLACE "@SEMI@" ";" _code "${_code}")
    string(REPLACE "@LB@" "[" _code "${_code}")
    string(REPLACE "@RB@" "]" _code "${_code}")
    set(_src ${CMAKE_CURRENT_BINARY_DIR}/docs/${_stem}_${_n}.c)
    file(WRITE ${_src}.new "${_code}")
    file(COPY_FILE ${_src}.new ${_src} ONLY_IF_DIFFERENT)
    list(APPEND XIPC_DOC_SOURCES ${_src})
    add_executable(doc_${_stem}_${_n} ${_src})
    target_link_libraries(doc_${_stem}_${_n} PRIVATE xipc::xipc)
    xipc_warnings(doc_${_stem}_${_n})
    add_test(NAME docs.${_stem}.${_n} COMMAND doc_${_stem}_${_n})
    math(EXPR _timeout "60 * ${XIPC_TEST_TIMEOUT_MULTIPLIER}")
    set_tests_properties(docs.${_stem}.${_n} PROPERTIES TIMEOUT ${_timeout}
      LABELS docs ENVIRONMENT "${_env}")
    if(CMAKE_CROSSCOMPILING_EMULATOR)
      set_tests_properties(docs.${_stem}.${_n} PROPERTIES
        FIXTURES_REQUIRED wine)
    endif()
  endforeach()
endforeach()
