/*
 * rl_io.c - policy files (docs/formats.md, "Policies"):
 *
 *   magic "DTFLPOLI", version u32, algorithm name (16 bytes, zero padded),
 *   head u32, obs_dim u32, K u32, A u32, hidden u32, layers u32,
 *   network count u32, then per network its weight count u64 and float32
 *   weights (little-endian), then K float32 log-std values (actor-critic),
 *   and a CRC-32 of every byte before it.
 *
 * Loading checks size, magic, version, CRC, then the algorithm and every
 * size against the policy being loaded into, and names what differs; the
 * weights are touched only when everything matched.
 */
#include "rl.h"

#include <stdlib.h>
#include <string.h>

#define IO_MAGIC "DTFLPOLI"
#define IO_VERSION 1u
#define IO_HEAD (8 + 4 + 16 + 6 * 4 + 4)

typedef struct io_shape {
    const char *algo;
    uint32_t head, obs_dim, K, A, hidden, layers;
} io_shape;

static size_t io__size(rl_mlp **net, int n, int K)
{
    size_t s = IO_HEAD + 4 + 4 * (size_t)K;
    for (int i = 0; i < n; i++)
        s += 8 + 4 * rl_mlp_nparams(net[i]);
    return s;
}

static int io__save(const io_shape *sh, rl_mlp **net, int n, const float *extra,
                    int K, uint8_t **buf, size_t *len, dtfl_err *err)
{
    size_t total = io__size(net, n, K);
    uint8_t *b = calloc(1, total), *p = b;
    if (b == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    memcpy(p, IO_MAGIC, 8);
    dtfl_put_u32(p + 8, IO_VERSION);
    strncpy((char *)p + 12, sh->algo, 15);
    const uint32_t f[6] = {sh->head, sh->obs_dim, sh->K, sh->A, sh->hidden, sh->layers};
    for (int i = 0; i < 6; i++)
        dtfl_put_u32(p + 28 + 4 * i, f[i]);
    dtfl_put_u32(p + 52, (uint32_t)n);
    p += IO_HEAD;
    for (int i = 0; i < n; i++) {
        size_t np = rl_mlp_nparams(net[i]);
        const float *w = rl_mlp_params(net[i]);
        dtfl_put_u64(p, np);
        p += 8;
        for (size_t k = 0; k < np; k++, p += 4) {
            uint32_t u;
            memcpy(&u, &w[k], 4);
            dtfl_put_u32(p, u);
        }
    }
    for (int k = 0; k < K; k++, p += 4) {
        uint32_t u;
        float v = extra != NULL ? extra[k] : 0.0f;
        memcpy(&u, &v, 4);
        dtfl_put_u32(p, u);
    }
    dtfl_put_u32(p, dtfl_crc32(0, b, total - 4));
    *buf = b;
    *len = total;
    return 0;
}

static int io__load(const io_shape *sh, rl_mlp **net, int n, float *extra,
                    int K, const uint8_t *b, size_t len, const char *name,
                    dtfl_err *err)
{
    size_t want = io__size(net, n, K);
    if (len < IO_HEAD + 4 || memcmp(b, IO_MAGIC, 8) != 0)
        return dtfl_err_set(err, DTFL_EDATA, "%s: not a dtfl policy", name);
    uint32_t v = dtfl_get_u32(b + 8);
    if (v != IO_VERSION)
        return dtfl_err_set(err, DTFL_EVERSION,
                            "%s: policy format version %u, this dtfl reads %u",
                            name, v, IO_VERSION);
    if (dtfl_crc32(0, b, len - 4) != dtfl_get_u32(b + len - 4))
        return dtfl_err_set(err, DTFL_ECORRUPT, "%s: checksum mismatch", name);
    char algo[17] = {0};
    memcpy(algo, b + 12, 16);
    if (strcmp(algo, sh->algo) != 0)
        return dtfl_err_set(err, DTFL_EDATA, "%s: a %s policy, not %s", name,
                            algo, sh->algo);
    const uint32_t got[6] = {dtfl_get_u32(b + 28), dtfl_get_u32(b + 32),
                             dtfl_get_u32(b + 36), dtfl_get_u32(b + 40),
                             dtfl_get_u32(b + 44), dtfl_get_u32(b + 48)};
    const uint32_t exp[6] = {sh->head, sh->obs_dim, sh->K, sh->A, sh->hidden, sh->layers};
    static const char *what[6] = {"action head", "state size", "users (heads)",
                                  "servers (choices)", "hidden width",
                                  "hidden layers"};
    static const int order[6] = {0, 2, 3, 1, 4, 5}; /* the sizes a user set first */
    for (int j = 0; j < 6; j++) {
        int i = order[j];
        if (got[i] != exp[i])
            return dtfl_err_set(err, DTFL_EDATA,
                                "%s: trained for %s %u, this run has %u "
                                "(train a policy for this config)",
                                name, what[i], got[i], exp[i]);
    }
    if (dtfl_get_u32(b + 52) != (uint32_t)n || len != want)
        return dtfl_err_set(err, DTFL_EDATA, "%s: %zu bytes, expected %zu",
                            name, len, want);
    const uint8_t *p = b + IO_HEAD;
    for (int i = 0; i < n; i++) { /* sizes first, then the weights */
        if (dtfl_get_u64(p) != rl_mlp_nparams(net[i]))
            return dtfl_err_set(err, DTFL_EDATA, "%s: network %d has %llu "
                                                 "weights, expected %zu",
                                name, i, (unsigned long long)dtfl_get_u64(p),
                                rl_mlp_nparams(net[i]));
        p += 8 + 4 * rl_mlp_nparams(net[i]);
    }
    p = b + IO_HEAD;
    for (int i = 0; i < n; i++) {
        float *w = rl_mlp_params(net[i]);
        p += 8;
        for (size_t k = 0; k < rl_mlp_nparams(net[i]); k++, p += 4) {
            uint32_t u = dtfl_get_u32(p);
            memcpy(&w[k], &u, 4);
        }
    }
    for (int k = 0; k < K; k++, p += 4)
        if (extra != NULL) {
            uint32_t u = dtfl_get_u32(p);
            memcpy(&extra[k], &u, 4);
        }
    return 0;
}

/* A mixed head is head 3 in a file (2 is DDPG's), K its choices and values,
 * A an FNV-1a hash of its blocks (so a file of another layout is refused). */
static io_shape io__ac_shape(const rl_ac_params *p, const char *algo)
{
    if (p->head != RL_HEAD_MIXED)
        return (io_shape){algo, (uint32_t)p->head, (uint32_t)p->obs_dim, (uint32_t)p->K,
                          (uint32_t)p->A, (uint32_t)p->hidden, (uint32_t)p->layers};
    uint32_t h = 2166136261u;
    for (int i = 0; i < p->nblocks; i++) {
        const uint32_t f[3] = {(uint32_t)p->block[i].gauss, (uint32_t)p->block[i].K,
                               p->block[i].gauss ? 0u : (uint32_t)p->block[i].A};
        for (int j = 0; j < 3; j++)
            h = (h ^ f[j]) * 16777619u;
    }
    return (io_shape){algo, 3u, (uint32_t)p->obs_dim,
                      (uint32_t)(rl_mix_ncat(p->block, p->nblocks) +
                                 rl_mix_ngauss(p->block, p->nblocks)),
                      h, (uint32_t)p->hidden, (uint32_t)p->layers};
}

int rl_ac_save(const rl_ac *a, const char *algo, uint8_t **buf, size_t *len,
               dtfl_err *err)
{
    rl_mlp *net[2];
    float *log_std;
    int nstd = rl_ac_networks((rl_ac *)a, &net[0], &net[1], &log_std);
    io_shape sh = io__ac_shape(rl_ac_params_of(a), algo);
    return io__save(&sh, net, 2, log_std, nstd, buf, len, err);
}

int rl_ac_load(rl_ac *a, const char *algo, const uint8_t *buf, size_t len,
               const char *name, dtfl_err *err)
{
    rl_mlp *net[2];
    float *log_std;
    int nstd = rl_ac_networks(a, &net[0], &net[1], &log_std);
    io_shape sh = io__ac_shape(rl_ac_params_of(a), algo);
    return io__load(&sh, net, 2, log_std, nstd, buf, len, name, err);
}

static io_shape io__ddpg_shape(const rl_ddpg_params *p)
{
    return (io_shape){"ddpg", 2u, (uint32_t)p->obs_dim, (uint32_t)p->D, 1u,
                      (uint32_t)p->hidden, (uint32_t)p->layers};
}

int rl_ddpg_save(const rl_ddpg *d, uint8_t **buf, size_t *len, dtfl_err *err)
{
    rl_mlp *net[4];
    int n = rl_ddpg_networks((rl_ddpg *)d, net, 4);
    io_shape sh = io__ddpg_shape(rl_ddpg_params_of(d));
    return io__save(&sh, net, n, NULL, 0, buf, len, err);
}

int rl_ddpg_load(rl_ddpg *d, const uint8_t *buf, size_t len, const char *name,
                 dtfl_err *err)
{
    rl_mlp *net[4];
    int n = rl_ddpg_networks(d, net, 4);
    io_shape sh = io__ddpg_shape(rl_ddpg_params_of(d));
    return io__load(&sh, net, n, NULL, 0, buf, len, name, err);
}
