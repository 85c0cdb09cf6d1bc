#ifndef GITER_CLIBGIT2_SHIM_H
#define GITER_CLIBGIT2_SHIM_H
#include <git2.h>
#endif
