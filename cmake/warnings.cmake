# xipc_warnings(target): the warnings the project keeps clean, probed so an
# older compiler that lacks one still builds; PRIVATE so users are not
# burdened with them. With XIPC_WERROR (ON in the presets that CI runs) every
# one of them is an error, with gcc, clang and mingw-w64 alike.
include(CheckCCompilerFlag)
option(XIPC_WERROR "Treat the project's warnings as errors" OFF)

set(_xipc_warning_flags -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla)
# GCC's -Wcast-align speaks only of targets that trap on a misaligned access;
# clang's flags every cast from a byte pointer to a wider type (GCC's
# -Wcast-align=strict), which is how xipc reaches the fields of a segment
# whose alignment the layout guarantees. So it is asked of GCC only.
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND _xipc_warning_flags -Wcast-align)
endif()
if(XIPC_WERROR)
  list(APPEND _xipc_warning_flags -Werror)
endif()

function(xipc_warnings target)
  foreach(flag IN LISTS _xipc_warning_flags)
    string(MAKE_C_IDENTIFIER "XIPC_HAS${flag}" var)
    check_c_compiler_flag(${flag} ${var})
    if(${var})
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C>:${flag}>)
    endif()
  endforeach()
endfunction()
