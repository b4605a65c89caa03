# Turns state/scripts/*.lua into C: OUT (state_scripts.c: each script's name,
# its text as sent to Redis, and a line map) and OUT_LIST (state_script_list.h:
# the X-macro list of scripts, one row per .lua file, that state/scripts.h
# makes the enum of; adding a script = adding its .lua file).
#
# The prelude.  Files whose name starts with "_" are libraries, so scripts
# share helpers (audit, say, staff_name...) without copies.  Redis runs a
# script's whole text on every call, and creating ~35 closures and tables a
# script never calls costs more than most scripts themselves
# (bench/RESULTS.md), so a script gets, in front of its own text, only the
# library definitions it uses (and those they use), in the libraries' order.
# A definition is a line "local function NAME" or "local NAME =" at the start
# of a line, up to the next one in the same file (so "APPLY.x = function"
# lines stay with "local APPLY = {}"); what comes before a file's first one
# (its head comment) is left out.  It is used when NAME appears as a word in
# the script or in a definition already taken, comments left out.
#
# Each script names the helpers it uses itself in a line of its head comment,
#   -- helpers: audit, staff_name        (or "-- helpers: none")
# so that a reader of the .lua file knows where they come from; the build
# fails when that line and the script's words disagree.
#
# Line numbers.  Redis reports an error at "user_script:N", a line of the
# text it was sent, prelude included.  The line map of each script says
# which .lua file and line each piece of that text came from, and the
# daemon logs the error with it: "(at _1lib.lua:93)" (state_script_where()).
#
# Called by the build with -DOUT=<c file> -DOUT_LIST=<h file>
# -DSCRIPTS="<a.lua|b.lua>".
cmake_minimum_required(VERSION 3.13)  # IN_LIST in script mode

string(REPLACE "|" ";" SCRIPTS "${SCRIPTS}")
list(SORT SCRIPTS)

# The wrapper (wrap_once.lua.in, beside the scripts): its line "local function
# script_body()" goes in front of each script's own text, and what follows the
# line after it goes behind: a call sent again after a lost reply is not done
# twice.  The script's lines keep their numbers relative to that first line.
list(GET SCRIPTS 0 first_script)
get_filename_component(script_dir "${first_script}" DIRECTORY)
file(STRINGS "${script_dir}/wrap_once.lua.in" wrap_lines)
list(FIND wrap_lines "local function script_body()" wrap_open)
if(wrap_open LESS 0)
  message(FATAL_ERROR "state/scripts/wrap_once.lua.in: no line \"local function script_body()\"")
endif()
math(EXPR wrap_open_line "${wrap_open} + 1")
math(EXPR wrap_close_line "${wrap_open} + 3")
math(EXPR wrap_from "${wrap_open} + 2")
list(SUBLIST wrap_lines ${wrap_from} -1 wrap_tail)
list(JOIN wrap_tail "\n" wrap_close)
set(wrap_close "${wrap_close}\n")

# Number of lines ("\n") in TEXT into VAR.
function(count_lines var text)
  string(REGEX MATCHALL "\n" nl "${text}")
  list(LENGTH nl n)
  set(${var} ${n} PARENT_SCOPE)
endfunction()

# The libraries' definitions, i = 1..ndefs: def_<i> (the name), chunk_<i>
# (its lines, each ending in "\n"), file_<i> and line_<i> (where it starts).
set(ndefs 0)
foreach(path IN LISTS SCRIPTS)
  get_filename_component(name "${path}" NAME_WE)
  get_filename_component(file "${path}" NAME)
  if(NOT name MATCHES "^_")
    continue()
  endif()
  file(READ "${path}" text)
  if(NOT text MATCHES "\n$")
    string(APPEND text "\n")
  endif()
  # "\n" in front, so that a head on line 1 is found like any other
  set(rest "\n${text}")
  string(REGEX MATCHALL "\nlocal function [A-Za-z_][A-Za-z0-9_]*|\nlocal [A-Za-z_][A-Za-z0-9_]* *=" heads "${rest}")
  set(line 0)       # the file's line at the "\n" that starts REST
  set(first TRUE)
  foreach(head IN LISTS heads)
    if(first)
      string(FIND "${rest}" "${head}" pos)
    else()
      # from offset 1: the current definition's own head may start with this one
      string(SUBSTRING "${rest}" 1 -1 after)
      string(FIND "${after}" "${head}" pos)
      math(EXPR pos "${pos} + 1")
    endif()
    # what lies before this head: the head comment, or the previous definition
    string(SUBSTRING "${rest}" 1 ${pos} before)
    if(NOT first)
      set(chunk_${ndefs} "${before}")
    endif()
    count_lines(n "${before}")
    math(EXPR line "${line} + ${n}")
    string(SUBSTRING "${rest}" ${pos} -1 rest)
    math(EXPR ndefs "${ndefs} + 1")
    string(REGEX REPLACE "^\nlocal (function )?([A-Za-z0-9_]+).*$" "\\2" def_${ndefs} "${head}")
    set(file_${ndefs} "${file}")
    math(EXPR line_${ndefs} "${line} + 1")
    set(first FALSE)
  endforeach()
  if(NOT first)
    string(SUBSTRING "${rest}" 1 -1 chunk_${ndefs})
  endif()
endforeach()

set(body "/* generated from the .lua files of state/scripts by embed_scripts.cmake: do not edit */\n#include \"state/scripts.h\"\n\n")
set(table "const struct state_script_source state_script_sources[] = {\n")
set(list_h "/* generated from the .lua files of state/scripts by embed_scripts.cmake: do not edit */\n#define STATE_SCRIPTS(X)")
set(count 0)
foreach(path IN LISTS SCRIPTS)
  get_filename_component(name "${path}" NAME_WE)
  get_filename_component(file "${path}" NAME)
  if(name MATCHES "^_")
    continue()
  endif()
  file(READ "${path}" src)
  if(NOT src MATCHES "\n$")
    string(APPEND src "\n")
  endif()

  # uses are looked for outside comments ("-- say who sent it" is no use of say)
  string(REGEX REPLACE "--[^\n]*" "" new "${src}")
  set(taken "")
  set(direct "")
  set(round 0)
  while(NOT new STREQUAL "" AND ndefs GREATER 0)
    set(next "")
    foreach(i RANGE 1 ${ndefs})
      if(NOT i IN_LIST taken AND new MATCHES "(^|[^A-Za-z0-9_.:])${def_${i}}([^A-Za-z0-9_]|$)")
        list(APPEND taken ${i})
        string(APPEND next "${chunk_${i}}")
        if(round EQUAL 0)
          list(APPEND direct ${def_${i}})
        endif()
      endif()
    endforeach()
    string(REGEX REPLACE "--[^\n]*" "" new "${next}")
    math(EXPR round "${round} + 1")
  endwhile()

  # the script's own "-- helpers:" line must name exactly what it uses
  # (a long list goes on in comment lines after a trailing comma)
  string(REPLACE ";" ", " uses "${direct}")
  if(uses STREQUAL "")
    set(uses "none")
  endif()
  if(NOT src MATCHES "(^|\n)-- helpers:(([^\n,]|,[ ]*\n--|,)*)")
    message(FATAL_ERROR "state/scripts/${file}: no \"-- helpers:\" line in its head comment "
      "(write \"-- helpers: ${uses}\")")
  endif()
  string(REPLACE "\n--" "" named "${CMAKE_MATCH_2}")
  string(REPLACE "," ";" named "${named}")
  string(REPLACE " " "" named "${named}")
  list(REMOVE_ITEM named "none")
  list(SORT named)
  set(sorted "${direct}")
  list(SORT sorted)
  if(NOT named STREQUAL sorted)
    message(FATAL_ERROR "state/scripts/${file}: its \"-- helpers:\" line does not match "
      "what it uses: write \"-- helpers: ${uses}\"")
  endif()

  # the prelude, in the libraries' order, and where each piece came from
  set(prelude "")
  set(map "")
  set(at 1)
  if(ndefs GREATER 0)
    foreach(i RANGE 1 ${ndefs})
      if(i IN_LIST taken)
        string(APPEND map "\t{ ${at}, \"${file_${i}}\", ${line_${i}} },\n")
        string(APPEND prelude "${chunk_${i}}")
        count_lines(n "${chunk_${i}}")
        math(EXPR at "${at} + ${n}")
      endif()
    endforeach()
  endif()
  string(APPEND map "\t{ ${at}, \"wrap_once.lua.in\", ${wrap_open_line} },\n")
  math(EXPR at "${at} + 1")
  string(APPEND map "\t{ ${at}, \"${file}\", 1 },\n")
  count_lines(n "${src}")
  math(EXPR at "${at} + ${n}")
  string(APPEND map "\t{ ${at}, \"wrap_once.lua.in\", ${wrap_close_line} },\n")
  count_lines(nmap "${map}")
  string(APPEND body "static const struct state_script_line lines_${name}[] = {\n${map}};\n")

  set(src "${prelude}local function script_body()\n${src}${wrap_close}")
  string(REPLACE "\\" "\\\\" src "${src}")
  string(REPLACE "\"" "\\\"" src "${src}")
  string(REPLACE "\n" "\\n\"\n\"" src "${src}")
  string(APPEND table "\t{ \"${name}\",\n\"${src}\", lines_${name}, ${nmap} },\n")
  string(TOUPPER "${name}" id)
  string(APPEND list_h " \\\n\tX(SCRIPT_${id}, \"${name}\")")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND body "\n${table}};\nconst unsigned state_script_count = ${count};\n")
string(APPEND list_h "\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(WRITE "${OUT_LIST}.tmp" "${list_h}")
file(COPY_FILE "${OUT_LIST}.tmp" "${OUT_LIST}" ONLY_IF_DIFFERENT)
