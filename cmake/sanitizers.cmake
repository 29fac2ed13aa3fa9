# Sanitizer and fuzzing builds, plus a few whole-binary kernel-shape runs as tests.
# Included once, at the end of the top-level CMakeLists.txt, so the flags are applied to the
# targets defined there.
#
#   -DTRN2SIM_SANITIZE=ON  AddressSanitizer + UndefinedBehaviorSanitizer on every target
#                          (scripts/sanitize.sh: build-asan/, ctest -L 'unit|shape')
#   -DTRN2SIM_FUZZ=ON      libFuzzer targets in fuzz/ (clang only; scripts/fuzz.sh: build-fuzz/)

option(TRN2SIM_SANITIZE "Build everything with -fsanitize=address,undefined" OFF)
option(TRN2SIM_FUZZ "Build the libFuzzer targets in fuzz/ (needs clang)" OFF)

if(TRN2SIM_SANITIZE)
  # UB is an error, not a warning: -fno-sanitize-recover makes the process exit non-zero so
  # that ctest sees it.
  set(TRN2SIM_SANITIZE_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined)
  get_property(_trn2_targets DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(_t IN LISTS _trn2_targets)
    target_compile_options(${_t} PRIVATE ${TRN2SIM_SANITIZE_FLAGS})
    target_link_options(${_t} PRIVATE -fsanitize=address,undefined)
  endforeach()
endif()

# A few kernel shapes through the binary (config -> build -> simulate -> check -> report,
# trace and npy out), labelled "shape". Small enough to run under the sanitizers.
set(_shape_dir ${CMAKE_CURRENT_BINARY_DIR}/shape_runs)
file(MAKE_DIRECTORY ${_shape_dir})
foreach(_cfg
    configs/depthwise_default.json
    configs/depthwise_lnc1.json
    configs/matrix/n2_c10_w129_s3_stride3_pad1_fp16.json
    configs/matrix/n3_c6_w700_s200_pad5_2_fp16.json
    configs/matrix/n4_c130_w300_s5_fp32.json
    configs/matrix/n1_c32_w5000_s31_stride16_pad10_bf16.json)
  get_filename_component(_name ${_cfg} NAME_WE)
  add_test(NAME shape.${_name}
           COMMAND trn2sim ${CMAKE_CURRENT_SOURCE_DIR}/${_cfg}
                   --report ${_name}.report.json --report-html ${_name}.html
                   --trace ${_name}.trace.json --output-npy ${_name}.npy
                   --dump-program ${_name}.program.json
           WORKING_DIRECTORY ${_shape_dir})
  set_tests_properties(shape.${_name} PROPERTIES LABELS shape)
endforeach()

if(TRN2SIM_FUZZ)
  add_subdirectory(${CMAKE_CURRENT_SOURCE_DIR}/fuzz ${CMAKE_CURRENT_BINARY_DIR}/fuzz)
endif()
