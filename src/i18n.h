/* Message translation, shared by the library and the programs. */
#ifndef MVN_I18N_H
#define MVN_I18N_H

#include <libintl.h>

/* The library and the programs share one text domain, the package's. */
#define _(s) dgettext(PACKAGE, s)
#define N_(s) (s)
/* Singular s or plural p, as n asks. */
#define P_(s, p, n) dngettext(PACKAGE, s, p, n)

#endif
