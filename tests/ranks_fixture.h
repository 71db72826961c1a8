/*
 * ranks_fixture.h - for tests of net/: running a function on P "ranks",
 * threads of one process on the local backend; a rank reports failure in
 * its rank_arg (rc, msg) and run_ranks fails the test with it.
 */
#ifndef DTFL_TEST_RANKS_FIXTURE_H
#define DTFL_TEST_RANKS_FIXTURE_H

#include "check.h"

#include "../net/net.h"

#include <pthread.h>

typedef struct rank_arg {
    net_comm *c;
    void *shared;
    int rc;
    char msg[DTFL_ERR_MSG_MAX];
} rank_arg;

static void *rank_main(void *p);
static void (*rank_fn)(rank_arg *a);

static void *rank_main(void *p)
{
    rank_fn(p);
    return NULL;
}

static void run_ranks(int P, void (*fn)(rank_arg *), void *shared)
{
    net_comm *comms[4];
    dtfl_err err;
    assert_int_equal(net_local_create(P, comms, &err), 0);
    pthread_t th[4];
    rank_arg args[4];
    rank_fn = fn;
    for (int r = 0; r < P; r++) {
        args[r] = (rank_arg){comms[r], shared, 0, ""};
        pthread_create(&th[r], NULL, rank_main, &args[r]);
    }
    for (int r = 0; r < P; r++)
        pthread_join(th[r], NULL);
    net_local_destroy(comms, P);
    for (int r = 0; r < P; r++)
        if (args[r].rc != 0)
            fail_msg("rank %d of %d: %s", r, P, args[r].msg);
}

#endif /* DTFL_TEST_RANKS_FIXTURE_H */
