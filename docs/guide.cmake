# The user's guide dutybot(7): docs/dutybot.7.in (the hand-written parts) with
# its @COMMANDS@ line replaced by `dutybot --print-guide` (every command, from
# the command table).  cmake -DDUTYBOT=<binary> -DIN=<dutybot.7.in> -DOUT=<file>
# [-DCHECK=<committed dutybot.7>] -P guide.cmake; with CHECK it fails when the
# committed file differs from what the table makes now.
execute_process(COMMAND ${DUTYBOT} --print-guide OUTPUT_VARIABLE commands RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${DUTYBOT} --print-guide failed (${rc})")
endif()
file(READ ${IN} template)
string(FIND "${template}" "@COMMANDS@\n" at)
if(at LESS 0)
  message(FATAL_ERROR "${IN} has no @COMMANDS@ line")
endif()
string(REPLACE "@COMMANDS@\n" "${commands}" guide "${template}")
file(WRITE ${OUT} "${guide}")
if(DEFINED CHECK)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${CHECK} RESULT_VARIABLE differs)
  if(NOT differs EQUAL 0)
    message(FATAL_ERROR "${CHECK} is not what the command table makes now: "
            "cmake --build <build dir> --target guide, and commit it")
  endif()
endif()
