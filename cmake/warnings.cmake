# xipc_warnings(target): the warnings the project keeps clean, probed so an
# older compiler that lacks one still builds; PRIVATE so users are not
# burdened with them.
include(CheckCCompilerFlag)
function(xipc_warnings target)
  foreach(flag -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
               -Wpointer-arith -Wcast-align -Wformat=2 -Wvla)
    string(MAKE_C_IDENTIFIER "XIPC_HAS${flag}" var)
    check_c_compiler_flag(${flag} ${var})
    if(${var})
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C>:${flag}>)
    endif()
  endforeach()
endfunction()
