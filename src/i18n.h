/* Message translation, shared by the library and the programs. */
#ifndef MVN_I18N_H
#define MVN_I18N_H

#include <libintl.h>

/* The library and the programs share one text domain, the package's. */
#define _(s) dgettext(PACKAGE, s)
#define N_(s) (s)

#endif
