/*
 * mpi.c - the MPI backend of net_comm, the one file of dtfl that includes
 * <mpi.h>. It duplicates MPI_COMM_WORLD with MPI_ERRORS_RETURN, so a failing
 * call comes back as DTFL_EMPI with MPI's own error text instead of aborting
 * before dtfl can say what it was doing.
 */
#include "comm_int.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

struct net_req {
    MPI_Request r;
};

typedef struct mpi_impl {
    MPI_Comm comm;
    int finalize;   /* this communicator initialised MPI */
} mpi_impl;

static int mpi__fail(dtfl_err *err, int code, const char *what)
{
    char text[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(code, text, &n) != MPI_SUCCESS)
        snprintf(text, sizeof text, "code %d", code);
    return dtfl_err_set(err, DTFL_EMPI, "%s: %s", what, text);
}

static MPI_Comm mpi__comm(net_comm *c) { return ((mpi_impl *)c->impl)->comm; }

static int mpi_isend(net_comm *c, int dest, int tag, const void *buf,
                     size_t len, net_req **req, dtfl_err *err)
{
    if (len > INT_MAX)
        return dtfl_err_set(err, DTFL_ERANGE, "MPI send of %zu bytes", len);
    net_req *q = malloc(sizeof *q);
    if (q == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "MPI send: out of memory");
    int rc = MPI_Isend(buf, (int)len, MPI_BYTE, dest, tag, mpi__comm(c), &q->r);
    if (rc != MPI_SUCCESS) {
        free(q);
        return mpi__fail(err, rc, "MPI_Isend");
    }
    *req = q;
    return 0;
}

static int mpi_wait(net_comm *c, net_req *req, dtfl_err *err)
{
    (void)c;
    int rc = MPI_Wait(&req->r, MPI_STATUS_IGNORE);
    free(req);
    return rc == MPI_SUCCESS ? 0 : mpi__fail(err, rc, "MPI_Wait");
}

static int mpi_recv(net_comm *c, int src, int tag, uint8_t **buf, size_t *len,
                    dtfl_err *err)
{
    *buf = NULL;
    *len = 0;
    MPI_Status st;
    int rc = MPI_Probe(src, tag, mpi__comm(c), &st);
    if (rc != MPI_SUCCESS)
        return mpi__fail(err, rc, "MPI_Probe");
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    uint8_t *b = malloc((size_t)count + 1);
    if (b == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "MPI receive: out of memory");
    rc = MPI_Recv(b, count, MPI_BYTE, src, tag, mpi__comm(c), MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) {
        free(b);
        return mpi__fail(err, rc, "MPI_Recv");
    }
    *buf = b;
    *len = (size_t)count;
    return 0;
}

static int mpi_barrier(net_comm *c, dtfl_err *err)
{
    int rc = MPI_Barrier(mpi__comm(c));
    return rc == MPI_SUCCESS ? 0 : mpi__fail(err, rc, "MPI_Barrier");
}

static int mpi_bcast(net_comm *c, void *buf, size_t len, int root,
                     dtfl_err *err)
{
    uint8_t *p = buf;
    while (len > 0) { /* in pieces that fit an int count */
        int n = len > (1u << 30) ? (1 << 30) : (int)len;
        int rc = MPI_Bcast(p, n, MPI_BYTE, root, mpi__comm(c));
        if (rc != MPI_SUCCESS)
            return mpi__fail(err, rc, "MPI_Bcast");
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int mpi_allreduce_i64(net_comm *c, int64_t *v, int n, dtfl_err *err)
{
    int rc = MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, MPI_SUM, mpi__comm(c));
    return rc == MPI_SUCCESS ? 0 : mpi__fail(err, rc, "MPI_Allreduce");
}

static int mpi_allreduce_max(net_comm *c, double *v, int n, dtfl_err *err)
{
    int rc = MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MAX, mpi__comm(c));
    return rc == MPI_SUCCESS ? 0 : mpi__fail(err, rc, "MPI_Allreduce");
}

static void mpi_abort(net_comm *c, int status) { MPI_Abort(mpi__comm(c), status); }

static void mpi_destroy(net_comm *c)
{
    mpi_impl *m = c->impl;
    MPI_Comm_free(&m->comm);
    if (m->finalize)
        MPI_Finalize();
    free(m);
    free(c);
}

static const net_comm_ops mpi_ops = {
    mpi_isend,         mpi_wait,          mpi_recv,  mpi_barrier, mpi_bcast,
    mpi_allreduce_i64, mpi_allreduce_max, mpi_abort, mpi_destroy};

/* Slurm's srun without a PMI plugin starts N copies that each see a world of
 * one rank: every copy would run the whole job alone and overwrite the
 * others' results. SLURM_NTASKS says how many tasks srun started. */
static int mpi__slurm_check(net_comm *c, dtfl_err *err)
{
    const char *nt = getenv("SLURM_NTASKS"), *id = getenv("SLURM_PROCID");
    long tasks = nt != NULL ? strtol(nt, NULL, 10) : 0;
    if (id == NULL || tasks <= 1 || c->size != 1)
        return 0;
    net_comm_destroy(c);
    return dtfl_err_set(err, DTFL_EMPI, "started by srun as one of %ld tasks "
                        "(SLURM_NTASKS), but MPI sees a world of 1 rank: srun "
                        "has no PMI here; use srun --mpi=pmix (see srun "
                        "--mpi=list) or mpirun", tasks);
}

int net_mpi_create(int *argc, char ***argv, net_comm **out, dtfl_err *err)
{
    *out = NULL;
    int inited = 0, rc;
    MPI_Initialized(&inited);
    if (!inited && (rc = MPI_Init(argc, argv)) != MPI_SUCCESS)
        return dtfl_err_set(err, DTFL_EMPI, "MPI_Init failed (code %d)", rc);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    net_comm *c = calloc(1, sizeof *c);
    mpi_impl *m = calloc(1, sizeof *m);
    if (c == NULL || m == NULL) {
        free(c);
        free(m);
        return dtfl_err_set(err, DTFL_ENOMEM, "MPI: out of memory");
    }
    m->finalize = !inited;
    if ((rc = MPI_Comm_dup(MPI_COMM_WORLD, &m->comm)) != MPI_SUCCESS) {
        free(c);
        free(m);
        return mpi__fail(err, rc, "MPI_Comm_dup");
    }
    MPI_Comm_set_errhandler(m->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(m->comm, &c->rank);
    MPI_Comm_size(m->comm, &c->size);
    int *ub = NULL, flag = 0;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &ub, &flag);
    c->tag_max = flag && ub ? *ub : 32767;
    c->ops = &mpi_ops;
    c->impl = m;
    if ((rc = mpi__slurm_check(c, err)) < 0)
        return rc;
    *out = c;
    return 0;
}
