# Helpers shared by every layer and program: warnings as errors, sanitizers, layer libraries.
add_library(postline_warnings INTERFACE)
target_compile_options(postline_warnings INTERFACE -Wall -Wextra -Werror)

if(POSTLINE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# postline_layer(NAME DEPS...): lib/NAME/src/*.cpp with public headers in lib/NAME/include.
function(postline_layer name)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
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
  # Commands that dispatch on argv[0] (newaliases → postalias, mailq → postqueue).
  foreach(alias ${P_ALIASES})
    add_custom_command(TARGET ${name} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E create_symlink ${name} ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/${alias})
  endforeach()
endfunction()
