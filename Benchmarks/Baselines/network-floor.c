/*
 * A network remote's floor with raw libgit2, for ExchangeBenchmark --remotes
 * (built by Benchmarks/run-exchange.sh, not by SwiftPM). Usage:
 *
 *   network-floor WORK URL SAMPLES [ssh PRIVATE PUBLIC | http USER PASSWORD]
 *
 * WORK is a folder of its own; URL a repository whose refs/heads/main exists.
 * The program clones nothing: it makes a bare repository in WORK, fetches
 * main once, then SAMPLES times: writes a commit on top of main (one blob
 * that changes), pushes it with git_remote_push (connect, push, disconnect:
 * what one push costs a new connection), then fetches main again, which
 * downloads nothing (a no-op fetch: connect, list refs, negotiate nothing).
 * Between the two, a second bare repository (WORK-reader) fetches main,
 * which brings the commit just pushed: what a reader that learns of a new
 * commit pays (the server packs the objects; more than a no-op fetch).
 * SSH host keys are accepted unchecked: the server is the benchmark's own,
 * on 127.0.0.1. With NETWORK_FLOOR_NO_STALLS set in the environment, the
 * program first registers a plain socket stream that sets TCP_NODELAY on
 * connect and TCP_QUICKACK before each read, as Giter's libgit2 backend
 * does (Sources/GiterLibGit2/SocketStream.swift): the floor of raw libgit2
 * without the 40 ms stalls of its own stream. Output, one line per sample, in nanoseconds:
 *   push NS
 *   fetch-new NS
 *   fetch NS
 */
#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void check(int rc, const char *what) {
    if (rc < 0) {
        const git_error *e = git_error_last();
        fprintf(stderr, "network-floor: %s: %s\n", what, e ? e->message : "unknown error");
        exit(1);
    }
}

struct login {
    const char *kind;
    const char *first;
    const char *second;
    int attempts;
};

static int credentials(git_credential **out, const char *url, const char *user, unsigned int allowed, void *payload) {
    struct login *login = payload;
    (void)url;
    if (++login->attempts > 3) return -1;
    if (strcmp(login->kind, "ssh") == 0 && (allowed & GIT_CREDENTIAL_SSH_KEY))
        return git_credential_ssh_key_new(out, user ? user : "git", login->second, login->first, NULL);
    if (strcmp(login->kind, "http") == 0 && (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
        return git_credential_userpass_plaintext_new(out, login->first, login->second);
    return GIT_PASSTHROUGH;
}

static int accept_host(git_cert *cert, int valid, const char *host, void *payload) {
    (void)cert; (void)valid; (void)host; (void)payload;
    return 0;
}

static int refused(const char *reference, const char *status, void *payload) {
    (void)payload;
    if (status) {
        fprintf(stderr, "network-floor: the server refused %s: %s\n", reference, status);
        exit(1);
    }
    return 0;
}

static void prepare(git_remote_callbacks *callbacks, struct login *login) {
    git_remote_init_callbacks(callbacks, GIT_REMOTE_CALLBACKS_VERSION);
    callbacks->payload = login;
    if (login->kind) {
        callbacks->credentials = credentials;
        callbacks->certificate_check = accept_host;
    }
    callbacks->push_update_reference = refused;
}

static void fetch_main(git_remote *remote, struct login *login) {
    git_fetch_options options;
    git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
    prepare(&options.callbacks, login);
    options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    options.update_fetchhead = 0;
    char *refspec = "+refs/heads/main:refs/remotes/origin/main";
    git_strarray refspecs = { &refspec, 1 };
    login->attempts = 0;
    check(git_remote_fetch(remote, &refspecs, &options, NULL), "fetch main");
}

#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 0
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* libgit2's own layout (its SSH transport reads the socket at it). */
typedef struct {
    git_stream parent;
    char *host;
    char *port;
    int s;
} no_stall_stream;

static int no_stall_connect(git_stream *stream) {
    no_stall_stream *st = (no_stall_stream *)stream;
    struct addrinfo hints = { 0 }, *info = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    if (getaddrinfo(st->host, st->port, &hints, &info) != 0) {
        git_error_set_str(GIT_ERROR_NET, "cannot resolve the host");
        return -1;
    }
    for (struct addrinfo *p = info; p; p = p->ai_next) {
        int s = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (s < 0) continue;
        if (connect(s, p->ai_addr, p->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            st->s = s;
            freeaddrinfo(info);
            return 0;
        }
        close(s);
    }
    freeaddrinfo(info);
    git_error_set_str(GIT_ERROR_OS, "cannot connect");
    return -1;
}

static ssize_t no_stall_read(git_stream *stream, void *data, size_t len) {
    no_stall_stream *st = (no_stall_stream *)stream;
#ifdef TCP_QUICKACK
    int one = 1;
    setsockopt(st->s, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
    ssize_t n = recv(st->s, data, len, 0);
    if (n < 0) git_error_set_str(GIT_ERROR_NET, "cannot receive");
    return n;
}

static ssize_t no_stall_write(git_stream *stream, const char *data, size_t len, int flags) {
    no_stall_stream *st = (no_stall_stream *)stream;
    ssize_t n = send(st->s, data, len, flags | MSG_NOSIGNAL);
    if (n < 0) git_error_set_str(GIT_ERROR_NET, "cannot send");
    return n;
}

static int no_stall_close(git_stream *stream) {
    no_stall_stream *st = (no_stall_stream *)stream;
    int rc = st->s < 0 ? 0 : close(st->s);
    st->s = -1;
    return rc;
}

static void no_stall_free(git_stream *stream) {
    no_stall_stream *st = (no_stall_stream *)stream;
    free(st->host);
    free(st->port);
    free(st);
}

static int no_stall_new(git_stream **out, const char *host, const char *port) {
    no_stall_stream *st = calloc(1, sizeof *st);
    if (!st) return -1;
    st->host = strdup(host);
    st->port = strdup(port);
    st->s = -1;
    st->parent.version = GIT_STREAM_VERSION;
    st->parent.connect = no_stall_connect;
    st->parent.read = no_stall_read;
    st->parent.write = no_stall_write;
    st->parent.close = no_stall_close;
    st->parent.free = no_stall_free;
    *out = &st->parent;
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 7) {
        fprintf(stderr, "usage: network-floor WORK URL SAMPLES [ssh PRIVATE PUBLIC | http USER PASSWORD]\n");
        return 2;
    }
    int samples = atoi(argv[3]);
    struct login login = { argc == 7 ? argv[4] : NULL, argc == 7 ? argv[5] : NULL, argc == 7 ? argv[6] : NULL, 0 };

    git_libgit2_init();
    if (getenv("NETWORK_FLOOR_NO_STALLS")) {
        git_stream_registration registration = { GIT_STREAM_VERSION, no_stall_new, NULL };
        check(git_stream_register(GIT_STREAM_STANDARD, &registration), "register the socket stream");
    }
    git_repository *repo;
    check(git_repository_init(&repo, argv[1], 1), "create the repository");
    git_remote *remote;
    check(git_remote_create(&remote, repo, "origin", argv[2]), "add origin");
    fetch_main(remote, &login);
    char reader_path[4096];
    snprintf(reader_path, sizeof reader_path, "%s-reader", argv[1]);
    git_repository *reader;
    check(git_repository_init(&reader, reader_path, 1), "create the reader");
    git_remote *reader_remote;
    check(git_remote_create(&reader_remote, reader, "origin", argv[2]), "add the reader's origin");
    fetch_main(reader_remote, &login);
    git_oid tip;
    check(git_reference_name_to_id(&tip, repo, "refs/remotes/origin/main"), "resolve origin/main");
    git_signature *signature;
    check(git_signature_new(&signature, "Bench", "bench@example.com", 1700000000, 0), "signature");

    char *refspec = "refs/heads/main:refs/heads/main";
    git_strarray refspecs = { &refspec, 1 };
    for (int i = 0; i < samples; i++) {
        char text[64];
        snprintf(text, sizeof text, "floor sample %d %lld\n", i, now_ns());
        git_oid blob, tree_id, commit_id;
        check(git_blob_create_from_buffer(&blob, repo, text, strlen(text)), "write blob");
        git_treebuilder *builder;
        check(git_treebuilder_new(&builder, repo, NULL), "tree builder");
        check(git_treebuilder_insert(NULL, builder, "sample", &blob, GIT_FILEMODE_BLOB), "insert");
        check(git_treebuilder_write(&tree_id, builder), "write tree");
        git_treebuilder_free(builder);
        git_tree *tree;
        check(git_tree_lookup(&tree, repo, &tree_id), "look up tree");
        git_commit *parent;
        check(git_commit_lookup(&parent, repo, &tip), "look up parent");
        const git_commit *parents[] = { parent };
        check(git_commit_create(&commit_id, repo, "refs/heads/main", signature, signature, NULL, "floor", tree, 1, parents),
              "commit");
        git_commit_free(parent);
        git_tree_free(tree);

        git_push_options push;
        git_push_options_init(&push, GIT_PUSH_OPTIONS_VERSION);
        prepare(&push.callbacks, &login);
        login.attempts = 0;
        long long start = now_ns();
        check(git_remote_push(remote, &refspecs, &push), "push");
        printf("push %lld\n", now_ns() - start);
        tip = commit_id;

        start = now_ns();
        fetch_main(reader_remote, &login);
        printf("fetch-new %lld\n", now_ns() - start);

        start = now_ns();
        fetch_main(remote, &login);
        printf("fetch %lld\n", now_ns() - start);
    }
    fflush(stdout);
    git_signature_free(signature);
    git_remote_free(reader_remote);
    git_repository_free(reader);
    git_remote_free(remote);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return 0;
}
