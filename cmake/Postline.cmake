# Helpers shared by every layer and program: warnings (errors with POSTLINE_WERROR),
# sanitizers, layer libraries.
add_library(postline_warnings INTERFACE)
target_compile_options(postline_warnings INTERFACE -Wall -Wextra)
if(POSTLINE_WERROR)
  target_compile_options(postline_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O3 (Release) inlines libstdc++'s operator+(const char*, std::string&&) and then
# reports the prepend's memcpy as overlapping (-Wrestrict, "accessing 9223372036854775810
# or more bytes"), a false positive that GCC 13 no longer gives; it fires wherever a
# literal is prepended to a temporary string, so it is turned off for GCC 12 only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(postline_warnings INTERFACE -Wno-restrict)
endif()

# POSTLINE_FUZZ: every library is built with libFuzzer's coverage instrumentation and
# AddressSanitizer + UndefinedBehaviorSanitizer; tests/fuzz links the fuzz targets.
if(POSTLINE_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(POSTLINE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# postline_layer(NAME DEPS...): lib/NAME/src/*.cpp with public headers in lib/NAME/include.
function(postline_layer name)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
  if(NOT srcs)
    message(FATAL_ERROR "lib/${name} has no source files")
  endif()
  add_library(postline_${name} STATIC ${srcs})
  target_include_directories(postline_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                                PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(postline_${name} PUBLIC ${ARGN} PRIVATE postline_warnings)
  add_library(postline::${name} ALIAS postline_${name})
endfunction()

# postline_program(NAME SOURCES... LIBS ...): a user command in bin/.
function(postline_program name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS;ALIASES" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  target_link_libraries(${name} PRIVATE ${P_LIBS} postline_warnings)
  set_property(GLOBAL APPEND PROPERTY POSTLINE_PROGRAMS ${name})
  # Commands that dispatch on argv[0] (newaliases → postalias, mailq → postqueue).
  foreach(alias ${P_ALIASES})
    add_custom_command(TARGET ${name} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E create_symlink ${name} ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/${alias})
  endforeach()
endfunction()

# postline_daemon(NAME SOURCES... LIBS ...): an MTA daemon in libexec/ (master runs it for
# the master.cf services whose command is NAME).
function(postline_daemon name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${POSTLINE_LIBEXEC_DIR})
  target_link_libraries(${name} PRIVATE ${P_LIBS} postline_warnings)
  set_property(GLOBAL APPEND PROPERTY POSTLINE_PROGRAMS ${name})
endfunction()
