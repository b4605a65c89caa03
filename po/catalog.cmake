# --- translations: po/*.po -> the catalog's C tables, checked on the way
# (po/catalog_gen.py says what fails the build).  Included by CMakeLists.txt
# after the dutybot_config and dutybot_core targets exist.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(MSGFMT msgfmt REQUIRED)        # Debian: gettext
find_program(MSGMERGE msgmerge REQUIRED)
set(PO_DIR ${CMAKE_SOURCE_DIR}/po)
set(CATALOG_GEN ${PO_DIR}/catalog_gen.py)
set(CATALOG_OUT ${CMAKE_BINARY_DIR}/generated)

# po/LINGUAS is the one list of languages; the script reads it too.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PO_DIR}/LINGUAS)
file(READ ${PO_DIR}/LINGUAS linguas)
string(REGEX REPLACE "#[^\n]*" "" linguas "${linguas}")
string(REGEX MATCHALL "[^ \t\r\n]+" PO_LANGUAGES "${linguas}")
list(TRANSFORM PO_LANGUAGES REPLACE "(.+)" "${PO_DIR}/\\1.po" OUTPUT_VARIABLE PO_FILES)

# Two steps, so that a changed translation recompiles one file, not every
# file that includes bot/i18n/catalog.h.
add_custom_command(
  OUTPUT ${CATALOG_OUT}/languages.h ${CATALOG_OUT}/catalog_en.h
  COMMAND ${Python3_EXECUTABLE} ${CATALOG_GEN} headers ${PO_DIR} ${CATALOG_OUT} ${MSGFMT}
  DEPENDS ${CATALOG_GEN} ${PO_DIR}/LINGUAS ${PO_DIR}/dutybot.pot
  COMMENT "Catalog: message ids, English and the languages from po/" VERBATIM)
add_custom_command(
  OUTPUT ${CATALOG_OUT}/catalog_tables.c
  COMMAND ${Python3_EXECUTABLE} ${CATALOG_GEN} tables ${PO_DIR} ${CATALOG_OUT} ${MSGFMT}
  DEPENDS ${CATALOG_GEN} ${PO_DIR}/LINGUAS ${PO_DIR}/dutybot.pot ${PO_FILES}
  COMMENT "Catalog: checking po/*.po, building the translation tables" VERBATIM)
add_custom_target(catalog_headers DEPENDS ${CATALOG_OUT}/languages.h ${CATALOG_OUT}/catalog_en.h)

# config/ reads the language list, bot/ the whole catalog: "generated/..." includes
target_include_directories(dutybot_config PUBLIC ${CMAKE_BINARY_DIR})
add_dependencies(dutybot_config catalog_headers)
add_dependencies(dutybot_core catalog_headers)
target_sources(dutybot_core PRIVATE ${CATALOG_OUT}/catalog_tables.c)

# After an English text changed in po/dutybot.pot: its translations become fuzzy.
add_custom_target(po-update
  COMMAND ${Python3_EXECUTABLE} ${CATALOG_GEN} update ${PO_DIR} ${MSGMERGE}
  COMMENT "Merging po/dutybot.pot into po/*.po" VERBATIM)
