/*
 * rl_marl_io.c - policy files of the multi-agent learners (docs/formats.md,
 * "Multi-agent policies"), version 2 of dtfl's policy files:
 *
 *   magic "DTFLMARL", version u32 (2), algorithm u32 (0 HAPPO, 1 MAPPO,
 *   2 MADDPG; no targets: they load as copies), head u32 (0 Beta, 1
 *   Gaussian; plus 2 with categorical blocks), agents u32,
 *   state_dim u32, layers u32, widths (layers x u32); per agent obs_dim,
 *   blocks, choices, box, stream, type (u32 each); actors u32, per actor
 *   its weight count u64, float32 weights, then its D u32 and (Gaussian)
 *   D float32 std parameters; streams u32, per critic its weight count u64
 *   and float32 weights; a CRC-32 of every byte before it. Little-endian.
 *
 * Loading checks size, magic, version and CRC, then every size against the
 * learner it loads into and names the first that differs (another K, M or
 * head); weights are touched only when everything matched.
 */
#include "marl_int.h"

#include <stdlib.h>
#include <string.h>

#define IO_MAGIC "DTFLMARL"
#define IO_VERSION 2u

static const char *const io_algos[] = {"happo", "mappo", "maddpg"};
/* the head field: the head, plus 2 with categorical blocks */
static const char *const io_heads[] = {"beta", "gaussian", "beta with categorical blocks",
                                       "gaussian with categorical blocks"};

/* A writer that only counts when buf is NULL. */
typedef struct io_w {
    uint8_t *p;
    size_t n;
} io_w;

static void io__u32(io_w *w, uint32_t v)
{
    if (w->p != NULL)
        dtfl_put_u32(w->p + w->n, v);
    w->n += 4;
}

static void io__floats(io_w *w, const float *f, size_t n)
{
    if (w->p != NULL) {
        dtfl_put_u64(w->p + w->n, n);
        for (size_t i = 0; i < n; i++) {
            uint32_t u;
            memcpy(&u, &f[i], 4);
            dtfl_put_u32(w->p + w->n + 8 + 4 * i, u);
        }
    }
    w->n += 8 + 4 * n;
}

static void io__write(const sched_marl *m, io_w *w)
{
    const sched_marl_params *p = &m->p;
    if (w->p != NULL)
        memcpy(w->p, IO_MAGIC, 8);
    w->n = 8;
    const uint32_t head[] = {IO_VERSION, p->algo, p->head + 2u * (p->categorical != 0),
                             (uint32_t)p->agents,
                             (uint32_t)p->state_dim, (uint32_t)p->layers};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        io__u32(w, head[i]);
    for (int l = 0; l < p->layers; l++)
        io__u32(w, (uint32_t)p->hidden[l]);
    for (int a = 0; a < p->agents; a++) {
        const sched_marl_agent *g = &m->ag[a].spec;
        const uint32_t f[] = {(uint32_t)g->obs_dim, (uint32_t)g->blocks, (uint32_t)g->choices,
                              (uint32_t)g->box, (uint32_t)g->stream, (uint32_t)g->type};
        for (size_t i = 0; i < 6; i++)
            io__u32(w, f[i]);
    }
    io__u32(w, (uint32_t)m->nactors);
    for (int i = 0; i < m->nactors; i++) {
        const marl_actor *ac = &m->actors[i];
        io__floats(w, rl_mlp_params(ac->net), rl_mlp_nparams(ac->net));
        io__u32(w, (uint32_t)ac->D);
        if (ac->s != NULL)
            io__floats(w, ac->s, (size_t)ac->D);
    }
    io__u32(w, (uint32_t)m->streams);
    for (int s = 0; s < m->streams; s++)
        io__floats(w, rl_mlp_params(m->critic[s]), rl_mlp_nparams(m->critic[s]));
}

int sched_marl_save(const sched_marl *m, uint8_t *buf, size_t *len, dtfl_err *err)
{
    io_w w = {NULL, 0};
    io__write(m, &w);
    const size_t need = w.n + 4;
    if (buf == NULL) {
        *len = need;
        return 0;
    }
    if (*len < need)
        return dtfl_err_set(err, DTFL_ERANGE, "policy: buffer of %zu bytes, %zu "
                            "needed", *len, need);
    w = (io_w){buf, 0};
    io__write(m, &w);
    dtfl_put_u32(buf + w.n, dtfl_crc32(0, buf, w.n));
    *len = need;
    return 0;
}

/* The first size where the file differs from m's own bytes, named (0 when
 * the sizes agree); the two have the same layout up to it. */
static int io__compare(const sched_marl *m, const uint8_t *own, const uint8_t *buf,
                       size_t n, const char *name, dtfl_err *err)
{
    const sched_marl_params *p = &m->p;
    const size_t fixed = 8 + 6 * 4 + 4 * (size_t)p->layers;
    const char *what[] = {"version", "algorithm", "head", "agent count", "state size",
                          "layer count"};
    for (size_t off = 8; off < fixed && off + 4 <= n; off += 4) {
        const uint32_t mine = dtfl_get_u32(own + off), theirs = dtfl_get_u32(buf + off);
        if (mine == theirs)
            continue;
        const size_t k = (off - 8) / 4;
        if (k == 1 && theirs < 3)
            return dtfl_err_set(err, DTFL_EDATA, "%s: a policy of %s, not %s", name,
                                io_algos[theirs], io_algos[p->algo]);
        if (k == 2 && theirs < 4)
            return dtfl_err_set(err, DTFL_EDATA, "%s: a policy with %s heads, not %s",
                                name, io_heads[theirs], io_heads[mine]);
        return dtfl_err_set(err, DTFL_EDATA, "%s: %s %u, this policy has %u", name,
                            k < 6 ? what[k] : "hidden width", theirs, mine);
    }
    static const char *const fields[] = {"observation size", "discrete blocks",
                                         "choices", "box values", "reward stream", "type"};
    for (int a = 0; a < p->agents; a++)
        for (int f = 0; f < 6; f++) {
            const size_t off = fixed + 24 * (size_t)a + 4 * (size_t)f;
            if (off + 4 > n)
                return dtfl_err_set(err, DTFL_EDATA, "%s: truncated at agent %d", name, a);
            const uint32_t mine = dtfl_get_u32(own + off), theirs = dtfl_get_u32(buf + off);
            if (mine != theirs)
                return dtfl_err_set(err, DTFL_EDATA, "%s: agent %d has %s %u, this "
                                    "policy's has %u", name, a, fields[f], theirs, mine);
        }
    return 0;
}

/* Reads the weights of a file laid out as m's own. */
static void io__take(sched_marl *m, const uint8_t *buf)
{
    size_t off = 8 + 6 * 4 + 4 * (size_t)m->p.layers + 24 * (size_t)m->p.agents + 4;
    for (int i = 0; i < m->nactors; i++) {
        marl_actor *ac = &m->actors[i];
        float *w = rl_mlp_params(ac->net);
        const size_t np = rl_mlp_nparams(ac->net);
        for (size_t k = 0; k < np; k++) {
            const uint32_t u = dtfl_get_u32(buf + off + 8 + 4 * k);
            memcpy(&w[k], &u, 4);
        }
        off += 8 + 4 * np + 4;
        for (int d = 0; ac->s != NULL && d < ac->D; d++) {
            const uint32_t u = dtfl_get_u32(buf + off + 8 + 4 * (size_t)d);
            memcpy(&ac->s[d], &u, 4);
        }
        off += ac->s != NULL ? 8 + 4 * (size_t)ac->D : 0;
    }
    off += 4;
    for (int s = 0; s < m->streams; s++) {
        float *w = rl_mlp_params(m->critic[s]);
        const size_t np = rl_mlp_nparams(m->critic[s]);
        for (size_t k = 0; k < np; k++) {
            const uint32_t u = dtfl_get_u32(buf + off + 8 + 4 * k);
            memcpy(&w[k], &u, 4);
        }
        off += 8 + 4 * np;
    }
}

int sched_marl_load(sched_marl *m, const uint8_t *buf, size_t len,
                    const char *name, dtfl_err *err)
{
    if (len < 8 + 6 * 4 + 4 || memcmp(buf, IO_MAGIC, 8) != 0)
        return dtfl_err_set(err, DTFL_EDATA, "%s: not a multi-agent policy file "
                            "(magic " IO_MAGIC ")", name);
    if (dtfl_get_u32(buf + 8) != IO_VERSION)
        return dtfl_err_set(err, DTFL_EDATA, "%s: version %u, this dtfl reads %u",
                            name, dtfl_get_u32(buf + 8), IO_VERSION);
    if (dtfl_crc32(0, buf, len - 4) != dtfl_get_u32(buf + len - 4))
        return dtfl_err_set(err, DTFL_EDATA, "%s: CRC mismatch (damaged)", name);
    size_t need = 0;
    sched_marl_save(m, NULL, &need, err);
    uint8_t *own = malloc(need);
    if (own == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    sched_marl_save(m, own, &need, err);
    /* the layout (every size) matches when the bytes before the weights do
     * and the length does */
    const size_t head = 8 + 6 * 4 + 4 * (size_t)m->p.layers + 24 * (size_t)m->p.agents;
    int rc = 0;
    if (len != need || memcmp(own, buf, head) != 0) {
        rc = io__compare(m, own, buf, len < need ? len : need, name, err);
        if (rc == 0)
            rc = dtfl_err_set(err, DTFL_EDATA, "%s: %zu bytes, this policy's file "
                              "has %zu (another sharing of actors)", name, len, need);
    } else {
        io__take(m, buf);
        if (m->dd != NULL)
            marl__dd_sync(m);
    }
    free(own);
    return rc;
}
