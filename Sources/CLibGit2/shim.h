#ifndef GITER_CLIBGIT2_SHIM_H
#define GITER_CLIBGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/transport.h>
#include <git2/sys/repository.h>
// zlib, which libgit2 itself links: the deflate of the packs Giter writes (PackWriter).
#include <zlib.h>

/// Points libgit2's search path for configuration files of `level`
/// (GIT_CONFIG_LEVEL_SYSTEM, _XDG, _GLOBAL, _PROGRAMDATA) at `path`; an empty
/// path means no file of that level is read. Swift cannot call the variadic
/// git_libgit2_opts directly.
static inline int giter_set_config_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

#endif
