# Turns state/scripts/*.lua into one C file: an array of {name, source} pairs.
# Files whose name starts with "_" are libraries, so scripts share helpers
# (audit, split) without copies.  A script gets, in front of its text, only
# the library definitions it uses (and those they use): Redis runs the whole
# text on every call, and creating ~35 closures and tables a script never
# calls costs more than most scripts themselves (bench/RESULTS.md).  A
# definition is a line "local function NAME" or "local NAME =" at the start
# of a line, up to the next one (so "APPLY.x = function" lines stay with
# "local APPLY = {}"); it is used when NAME appears as a word in the script
# or in a definition already taken, comments left out.  Order is kept: the library's order.
# Called by the build with -DOUT=<file> -DSCRIPTS="<a.lua|b.lua>".
cmake_minimum_required(VERSION 3.13)  # IN_LIST in script mode
set(body "/* generated from the .lua files of state/scripts by embed_scripts.cmake: do not edit */\n#include \"state/scripts.h\"\n\nconst struct state_script_source state_script_sources[] = {\n")
string(REPLACE "|" ";" SCRIPTS "${SCRIPTS}")
list(SORT SCRIPTS)
set(count 0)
set(lib "")
foreach(path IN LISTS SCRIPTS)
  get_filename_component(name "${path}" NAME_WE)
  if(name MATCHES "^_")
    file(READ "${path}" part)
    string(APPEND lib "${part}")
  endif()
endforeach()

# The library's definitions: chunk_<i> (text) and def_<i> (name), i = 1..ndefs.
set(rest "\n${lib}")
string(REGEX MATCHALL "\nlocal function [A-Za-z_][A-Za-z0-9_]*|\nlocal [A-Za-z_][A-Za-z0-9_]* *=" heads "${rest}")
set(ndefs 0)
foreach(head IN LISTS heads)
  # from offset 1: the current definition's own head may start with this one
  string(SUBSTRING "${rest}" 1 -1 after)
  string(FIND "${after}" "${head}" pos)
  math(EXPR pos "${pos} + 1")
  if(ndefs GREATER 0)
    string(SUBSTRING "${rest}" 0 ${pos} chunk_${ndefs})
  endif()
  string(SUBSTRING "${rest}" ${pos} -1 rest)
  math(EXPR ndefs "${ndefs} + 1")
  string(REGEX REPLACE "^\nlocal (function )?([A-Za-z0-9_]+).*$" "\\2" def_${ndefs} "${head}")
endforeach()
if(ndefs GREATER 0)
  set(chunk_${ndefs} "${rest}")
endif()

foreach(path IN LISTS SCRIPTS)
  get_filename_component(name "${path}" NAME_WE)
  if(name MATCHES "^_")
    continue()
  endif()
  file(READ "${path}" src)
  set(taken "")
  # uses are looked for outside comments ("-- say who sent it" is no use of say)
  string(REGEX REPLACE "--[^\n]*" "" new "${src}")
  while(NOT new STREQUAL "" AND ndefs GREATER 0)
    set(next "")
    foreach(i RANGE 1 ${ndefs})
      if(NOT i IN_LIST taken AND new MATCHES "(^|[^A-Za-z0-9_.:])${def_${i}}([^A-Za-z0-9_]|$)")
        list(APPEND taken ${i})
        string(APPEND next "${chunk_${i}}")
      endif()
    endforeach()
    string(REGEX REPLACE "--[^\n]*" "" new "${next}")
  endwhile()
  set(prelude "")
  if(ndefs GREATER 0)
    foreach(i RANGE 1 ${ndefs})
      if(i IN_LIST taken)
        string(APPEND prelude "${chunk_${i}}")
      endif()
    endforeach()
  endif()
  string(REGEX REPLACE "^\n" "" prelude "${prelude}")
  set(src "${prelude}${src}")
  string(REPLACE "\\" "\\\\" src "${src}")
  string(REPLACE "\"" "\\\"" src "${src}")
  string(REPLACE "\n" "\\n\"\n\"" src "${src}")
  string(APPEND body "\t{ \"${name}\",\n\"${src}\" },\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND body "};\nconst unsigned state_script_count = ${count};\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
