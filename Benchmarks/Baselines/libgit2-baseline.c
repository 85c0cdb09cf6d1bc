/*
 * Raw libgit2 baseline for TransportBenchmark (built by Benchmarks/run-transport.sh,
 * not by SwiftPM). Usage:
 *
 *   libgit2-baseline MIRROR FIRST CYCLES POLLS PATH...
 *
 * MIRROR is a bare repository whose remote "origin" is a local bare repository
 * and whose refs/heads/main is the remote's tip. Each cycle writes one blob at
 * PATH[i % count] (i counts from FIRST, so that runs in turn write new
 * contents), builds the new tree with git_tree_create_updated, writes a
 * commit, moves refs/heads/main and pushes it with git_remote_push (libgit2's
 * in-process local transport). Then POLLS no-op polls: connect + ls, and fetch.
 * Output, one line per sample, in nanoseconds:
 *   cycle COMMIT_NS COMMIT_AND_PUSH_NS
 *   tip NS
 *   fetch NS
 */
#include <git2.h>
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
        fprintf(stderr, "libgit2-baseline: %s: %s\n", what, e ? e->message : "unknown error");
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: libgit2-baseline MIRROR FIRST CYCLES POLLS PATH...\n");
        return 2;
    }
    int first = atoi(argv[2]);
    int cycles = atoi(argv[3]);
    int polls = atoi(argv[4]);
    char **paths = argv + 5;
    int path_count = argc - 5;

    git_libgit2_init();
    git_repository *repo;
    check(git_repository_open_bare(&repo, argv[1]), "open mirror");
    git_remote *remote;
    check(git_remote_lookup(&remote, repo, "origin"), "look up origin");
    git_oid tip;
    check(git_reference_name_to_id(&tip, repo, "refs/heads/main"), "resolve refs/heads/main");
    git_signature *signature;
    check(git_signature_new(&signature, "Bench", "bench@example.com", 1700000000, 0), "signature");

    char *refspec = "refs/heads/main:refs/heads/main";
    git_strarray refspecs = { &refspec, 1 };
    git_push_options push_options;
    git_push_options_init(&push_options, GIT_PUSH_OPTIONS_VERSION);

    for (int i = first; i < first + cycles; i++) {
        const char *path = paths[i % path_count];
        char content[512];
        int length = snprintf(content, sizeof content,
                              "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: %s\nspec:\n  revision: c%d\n",
                              path, i);

        long long start = now_ns();
        git_commit *parent;
        check(git_commit_lookup(&parent, repo, &tip), "look up parent");
        git_tree *parent_tree;
        check(git_commit_tree(&parent_tree, parent), "parent tree");
        git_tree_update update;
        memset(&update, 0, sizeof update);
        update.action = GIT_TREE_UPDATE_UPSERT;
        update.filemode = GIT_FILEMODE_BLOB;
        update.path = path;
        check(git_blob_create_from_buffer(&update.id, repo, content, (size_t)length), "write blob");
        git_oid tree_id;
        check(git_tree_create_updated(&tree_id, repo, parent_tree, 1, &update), "update tree");
        git_tree *tree;
        check(git_tree_lookup(&tree, repo, &tree_id), "look up tree");
        git_oid commit_id;
        const git_commit *parents[1] = { parent };
        check(git_commit_create(&commit_id, repo, NULL, signature, signature, NULL, "cycle\n", tree, 1, parents),
              "write commit");
        long long committed = now_ns();
        git_reference *reference;
        check(git_reference_create(&reference, repo, "refs/heads/main", &commit_id, 1, NULL), "move main");
        check(git_remote_push(remote, &refspecs, &push_options), "push");
        long long pushed = now_ns();
        printf("cycle %lld %lld\n", committed - start, pushed - start);

        git_reference_free(reference);
        git_tree_free(tree);
        git_tree_free(parent_tree);
        git_commit_free(parent);
        tip = commit_id;
    }

    git_remote_callbacks callbacks;
    git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
    git_fetch_options fetch_options;
    git_fetch_options_init(&fetch_options, GIT_FETCH_OPTIONS_VERSION);
    char *fetch_spec = "+refs/heads/main:refs/remotes/origin/main";
    git_strarray fetch_specs = { &fetch_spec, 1 };
    check(git_remote_fetch(remote, &fetch_specs, &fetch_options, NULL), "first fetch");
    for (int i = 0; i < polls; i++) {
        long long start = now_ns();
        check(git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, NULL, NULL), "connect");
        const git_remote_head **heads;
        size_t head_count;
        check(git_remote_ls(&heads, &head_count, remote), "list refs");
        int found = 0;
        for (size_t h = 0; h < head_count; h++) {
            if (strcmp(heads[h]->name, "refs/heads/main") == 0 && git_oid_equal(&heads[h]->oid, &tip)) found = 1;
        }
        git_remote_disconnect(remote);
        long long listed = now_ns();
        if (!found) {
            fprintf(stderr, "libgit2-baseline: remote tip differs\n");
            return 1;
        }
        printf("tip %lld\n", listed - start);
        start = now_ns();
        check(git_remote_fetch(remote, &fetch_specs, &fetch_options, NULL), "fetch");
        printf("fetch %lld\n", now_ns() - start);
    }

    git_signature_free(signature);
    git_remote_free(remote);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return 0;
}
