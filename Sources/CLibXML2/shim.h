#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, and its encoding.h then includes the system ICU headers,
// which clash with the ICU module Foundation ships. Nothing here uses libxml2's ICU
// converters (they sit behind pointers), so their declarations are left out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
