/*
 * local.c - a net_comm backend for several "ranks" in one process, one
 * thread each, talking through mailboxes. Sends copy the message into the
 * receiver's mailbox and complete at once; a receive waits for the oldest
 * message with its (source, tag). Collectives are built from the same
 * messages on reserved tags, reduced in rank order. It exists so tests can
 * run the migration protocol with 2 or 3 ranks without mpiexec.
 */
#include "comm_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LOCAL_TAG_MAX 0x3fffffff
#define LOCAL_TAG_BCAST (LOCAL_TAG_MAX + 1)
#define LOCAL_TAG_REDUCE (LOCAL_TAG_MAX + 2)

struct net_req {
    int done;
};

typedef struct local_msg {
    int src, tag;
    uint8_t *data;
    size_t len;
    struct local_msg *next;
} local_msg;

typedef struct local_group {
    int size;
    pthread_mutex_t lock;
    pthread_cond_t *arrived;   /* (size,) one per receiver */
    local_msg **head, **tail;  /* (size,) mailbox of each receiver */
    pthread_barrier_t barrier;
    net_comm **comms;          /* (size,) */
} local_group;

static int local__put(local_group *g, int src, int dest, int tag,
                      const void *buf, size_t len)
{
    local_msg *m = malloc(sizeof *m);
    uint8_t *d = malloc(len ? len : 1);
    if (m == NULL || d == NULL) {
        free(m);
        free(d);
        return DTFL_ENOMEM;
    }
    if (len)
        memcpy(d, buf, len);
    *m = (local_msg){src, tag, d, len, NULL};
    pthread_mutex_lock(&g->lock);
    if (g->tail[dest])
        g->tail[dest]->next = m;
    else
        g->head[dest] = m;
    g->tail[dest] = m;
    pthread_cond_broadcast(&g->arrived[dest]);
    pthread_mutex_unlock(&g->lock);
    return 0;
}

static void local__take(local_group *g, int me, int src, int tag,
                        uint8_t **buf, size_t *len)
{
    pthread_mutex_lock(&g->lock);
    for (;;) {
        local_msg *prev = NULL;
        for (local_msg *m = g->head[me]; m; prev = m, m = m->next) {
            if (m->src != src || m->tag != tag)
                continue;
            if (prev)
                prev->next = m->next;
            else
                g->head[me] = m->next;
            if (g->tail[me] == m)
                g->tail[me] = prev;
            pthread_mutex_unlock(&g->lock);
            *buf = m->data;
            *len = m->len;
            free(m);
            return;
        }
        pthread_cond_wait(&g->arrived[me], &g->lock);
    }
}

static int local_isend(net_comm *c, int dest, int tag, const void *buf,
                       size_t len, net_req **req, dtfl_err *err)
{
    net_req *q = malloc(sizeof *q);
    if (q == NULL || local__put(c->impl, c->rank, dest, tag, buf, len) < 0) {
        free(q);
        return dtfl_err_set(err, DTFL_ENOMEM, "local send: out of memory");
    }
    q->done = 1;
    *req = q;
    return 0;
}

static int local_wait(net_comm *c, net_req *req, dtfl_err *err)
{
    (void)c;
    (void)err;
    free(req);
    return 0;
}

static int local_recv(net_comm *c, int src, int tag, uint8_t **buf,
                      size_t *len, dtfl_err *err)
{
    (void)err;
    local__take(c->impl, c->rank, src, tag, buf, len);
    return 0;
}

static int local_barrier(net_comm *c, dtfl_err *err)
{
    (void)err;
    pthread_barrier_wait(&((local_group *)c->impl)->barrier);
    return 0;
}

static int local_bcast(net_comm *c, void *buf, size_t len, int root,
                       dtfl_err *err)
{
    local_group *g = c->impl;
    if (c->rank == root) {
        for (int r = 0; r < c->size; r++)
            if (r != root && local__put(g, root, r, LOCAL_TAG_BCAST, buf, len) < 0)
                return dtfl_err_set(err, DTFL_ENOMEM, "bcast: out of memory");
        return 0;
    }
    uint8_t *got;
    size_t n;
    local__take(g, c->rank, root, LOCAL_TAG_BCAST, &got, &n);
    if (n != len) {
        free(got);
        return dtfl_err_set(err, DTFL_EINTERNAL, "bcast of %zu bytes got %zu",
                            len, n);
    }
    memcpy(buf, got, len);
    free(got);
    return 0;
}

/* Reduces n values of `size` bytes on rank 0 in rank order, then bcasts. */
static int local__reduce(net_comm *c, void *v, int n, size_t size,
                         void (*combine)(void *acc, const void *in, int n),
                         dtfl_err *err)
{
    local_group *g = c->impl;
    size_t bytes = (size_t)n * size;
    if (c->rank != 0) {
        if (local__put(g, c->rank, 0, LOCAL_TAG_REDUCE, v, bytes) < 0)
            return dtfl_err_set(err, DTFL_ENOMEM, "reduce: out of memory");
    } else {
        for (int r = 1; r < c->size; r++) {
            uint8_t *got;
            size_t len;
            local__take(g, 0, r, LOCAL_TAG_REDUCE, &got, &len);
            combine(v, got, n);
            free(got);
        }
    }
    return local_bcast(c, v, bytes, 0, err);
}

static void local__sum_i64(void *acc, const void *in, int n)
{
    int64_t *a = acc;
    const int64_t *b = in;
    for (int i = 0; i < n; i++)
        a[i] += b[i];
}

static void local__max_f64(void *acc, const void *in, int n)
{
    double *a = acc;
    const double *b = in;
    for (int i = 0; i < n; i++)
        a[i] = b[i] > a[i] ? b[i] : a[i];
}

static int local_allreduce_i64(net_comm *c, int64_t *v, int n, dtfl_err *err)
{
    return local__reduce(c, v, n, sizeof *v, local__sum_i64, err);
}

static int local_allreduce_max(net_comm *c, double *v, int n, dtfl_err *err)
{
    return local__reduce(c, v, n, sizeof *v, local__max_f64, err);
}

static void local_abort(net_comm *c, int status) { (void)c; (void)status; }

/* Group members are freed together by net_local_destroy. */
static void local_destroy(net_comm *c) { (void)c; }

static const net_comm_ops local_ops = {
    local_isend,         local_wait,          local_recv,  local_barrier,
    local_bcast,         local_allreduce_i64, local_allreduce_max,
    local_abort,         local_destroy};

int net_local_create(int size, net_comm **comms, dtfl_err *err)
{
    local_group *g = calloc(1, sizeof *g);
    if (g == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "local group: out of memory");
    g->size = size;
    g->arrived = calloc((size_t)size, sizeof *g->arrived);
    g->head = calloc((size_t)size, sizeof *g->head);
    g->tail = calloc((size_t)size, sizeof *g->tail);
    g->comms = comms;
    if (g->arrived == NULL || g->head == NULL || g->tail == NULL) {
        free(g->arrived);
        free(g->head);
        free(g->tail);
        free(g);
        return dtfl_err_set(err, DTFL_ENOMEM, "local group: out of memory");
    }
    pthread_mutex_init(&g->lock, NULL);
    pthread_barrier_init(&g->barrier, NULL, (unsigned)size);
    for (int r = 0; r < size; r++) {
        pthread_cond_init(&g->arrived[r], NULL);
        comms[r] = NULL;
    }
    for (int r = 0; r < size; r++) {
        comms[r] = calloc(1, sizeof **comms);
        if (comms[r] == NULL) {
            if (r == 0) { /* nothing to hang the group on: free it here */
                for (int k = 0; k < size; k++)
                    pthread_cond_destroy(&g->arrived[k]);
                pthread_barrier_destroy(&g->barrier);
                pthread_mutex_destroy(&g->lock);
                free(g->arrived);
                free(g->head);
                free(g->tail);
                free(g);
            } else {
                net_local_destroy(comms, size);
            }
            return dtfl_err_set(err, DTFL_ENOMEM, "local group: out of memory");
        }
        *comms[r] = (net_comm){&local_ops, r, size, LOCAL_TAG_MAX, g};
    }
    return 0;
}

void net_local_destroy(net_comm **comms, int size)
{
    if (size <= 0 || comms[0] == NULL)
        return;
    local_group *g = comms[0]->impl;
    for (int r = 0; r < g->size; r++) {
        for (local_msg *m = g->head[r]; m;) {
            local_msg *next = m->next;
            free(m->data);
            free(m);
            m = next;
        }
        pthread_cond_destroy(&g->arrived[r]);
    }
    for (int r = 0; r < size; r++)
        free(comms[r]);
    pthread_barrier_destroy(&g->barrier);
    pthread_mutex_destroy(&g->lock);
    free(g->arrived);
    free(g->head);
    free(g->tail);
    free(g);
}
