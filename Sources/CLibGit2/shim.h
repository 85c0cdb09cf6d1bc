#ifndef GITER_CLIBGIT2_SHIM_H
#define GITER_CLIBGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/transport.h>
#include <git2/sys/repository.h>
#include <git2/sys/stream.h>

/// Points libgit2's search path for configuration files of `level`
/// (GIT_CONFIG_LEVEL_SYSTEM, _XDG, _GLOBAL, _PROGRAMDATA) at `path`; an empty
/// path means no file of that level is read. Swift cannot call the variadic
/// git_libgit2_opts directly.
static inline int giter_set_config_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

/// Sets the most memory libgit2's object cache (parsed commits, trees and
/// tags, shared by every repository of the process) may hold, in bytes.
static inline int giter_set_cache_max_size(ssize_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes);
}

/// Reads how many bytes libgit2's object cache counts now (`current`) and
/// may count (`allowed`).
static inline int giter_get_cached_memory(ssize_t *current, ssize_t *allowed) {
    return git_libgit2_opts(GIT_OPT_GET_CACHED_MEMORY, current, allowed);
}

/// Makes libgit2 trust the certificate authorities in `file` (PEM) for TLS.
/// Process-wide; with libgit2's mbedTLS build the file replaces the list
/// read at initialisation instead of adding to it.
static inline int giter_set_ssl_cert_file(const char *file) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL);
}

/// The server time limits of GIT_OPT_SET_SERVER_CONNECT_TIMEOUT and
/// GIT_OPT_SET_SERVER_TIMEOUT, in milliseconds (libgit2 1.7 and later; with
/// an older libgit2 there are none, and both are 0). libgit2 applies them
/// only in its own socket stream, so Giter's (`SocketStream`) reads them.
static inline void giter_server_time_limits(int *connect_limit, int *limit) {
    *connect_limit = 0;
    *limit = 0;
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 7)
    git_libgit2_opts(GIT_OPT_GET_SERVER_CONNECT_TIMEOUT, connect_limit);
    git_libgit2_opts(GIT_OPT_GET_SERVER_TIMEOUT, limit);
#endif
}

/// A plain TCP stream as libgit2 1.5 lays out its own (`git_socket_stream`,
/// private to libgit2): the SSH transport reads the socket of whatever
/// standard stream is registered at this layout, so Giter's replacement
/// (`SocketStream`) keeps it field for field.
typedef struct {
    git_stream parent;
    char *host;
    char *port;
    int socket;
} giter_socket_stream;

#endif
