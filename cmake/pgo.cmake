# Profile-guided optimisation (GCC), in two builds: scripts/setup.sh builds an instrumented
# trn2sim (-DTRN2SIM_PGO=generate) in build/pgo-train/, runs it over the configs of configs/
# and a program through run-program, and builds build/ from the counts (-DTRN2SIM_PGO=use).
# The model is branchy code (the builder, the race check, the scoreboard, the DMA arbiter):
# laid out and inlined by measured branch counts it runs about 8% fewer host instructions
# (callgrind, [1,1024,1,4096] S=4093 bf16), same bits and cycles (scripts/compare_builds.sh).
# No floating-point flag changes: the profile moves code, never arithmetic.
#
# Included before the targets are defined: the flags apply to every object and link.
#   -DTRN2SIM_PGO=off|generate|use   -DTRN2SIM_PGO_DIR=<directory of the .gcda counts>

set(TRN2SIM_PGO "off" CACHE STRING "Profile-guided optimisation (GCC): off, generate or use")
set_property(CACHE TRN2SIM_PGO PROPERTY STRINGS off generate use)
set(TRN2SIM_PGO_DIR "" CACHE PATH "Directory of the profile counts (TRN2SIM_PGO generate/use)")

if(NOT TRN2SIM_PGO STREQUAL "off")
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "TRN2SIM_PGO=${TRN2SIM_PGO} needs GCC (this is ${CMAKE_CXX_COMPILER_ID})")
  endif()
  if(TRN2SIM_PGO_DIR STREQUAL "")
    message(FATAL_ERROR "TRN2SIM_PGO=${TRN2SIM_PGO} needs TRN2SIM_PGO_DIR")
  endif()
  # Counts are named after the object files relative to the build directory, so that the
  # training build and the final one, in different directories, find each other's.
  set(_pgo_prefix -fprofile-prefix-path=${CMAKE_BINARY_DIR})
  if(TRN2SIM_PGO STREQUAL "generate")
    # Atomic counters: the seeded inputs and the reference run on several host threads, and
    # racing plain increments leave counts that GCC rejects as corrupted.
    add_compile_options(-fprofile-generate=${TRN2SIM_PGO_DIR} -fprofile-update=atomic ${_pgo_prefix})
    add_link_options(-fprofile-generate=${TRN2SIM_PGO_DIR})
  elseif(TRN2SIM_PGO STREQUAL "use")
    # Code the training never ran (the tests, rare error paths, a JSON program's own
    # paths) is compiled as without a profile, not shrunk as cold (partial training);
    # objects without counts (the tests) and functions edited since the training (their
    # counts no longer match) fall back the same way, without a warning each.
    set(_pgo_use -fprofile-use=${TRN2SIM_PGO_DIR} -fprofile-partial-training ${_pgo_prefix}
        -Wno-missing-profile -Wno-coverage-mismatch)
    add_compile_options(${_pgo_use})
    add_link_options(${_pgo_use})  # LTO compiles at link time
  else()
    message(FATAL_ERROR "TRN2SIM_PGO must be off, generate or use, not '${TRN2SIM_PGO}'")
  endif()
endif()
