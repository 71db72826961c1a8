/*
 * run_ckpt.c - checkpoints of `dtfl run`, so a killed run resumes exactly
 * where it stopped (docs/formats.md, "Checkpoints").
 *
 * After slot t, DIR/ckpt/slot-<t>/ receives:
 *   rank-<r>.bin  from every rank: the twins it holds, encoded;
 *   state.bin     from rank 0: the global model, association, ratios,
 *                 policy state, the scenario's state and the actions its
 *                 frame-level agents hold, and the tables written so far;
 *   COMPLETE      from rank 0, only after every rank reported its file
 *                 written (temporary name, fsync, rename, directory fsync).
 * Each file carries magic, version, slot, rank count, a CRC of the resolved
 * config, and a CRC of itself. Resuming picks the newest slot directory with
 * COMPLETE whose files all check out on every rank, and falls back to the
 * one before when not; two checkpoints are kept. The world is not stored: it
 * is re-stepped from the seed. A checkpoint made with another rank count or
 * another config is refused with a message that says which.
 */
#include "run.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CKPT_VERSION 3u /* 2: the scenario's state and held actions; 3: the
                           caches' outcome bytes */
#define CKPT_KEEP 2

/* ---- a growable byte buffer and a bounds-checked reader ---- */

typedef struct ckpt_buf {
    uint8_t *p;
    size_t len, cap;
    int bad; /* out of memory once: every later write is dropped */
} ckpt_buf;

static uint8_t *ckpt__room(ckpt_buf *b, size_t n)
{
    if (b->bad)
        return NULL;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (np == NULL) {
            b->bad = 1;
            return NULL;
        }
        b->p = np;
        b->cap = cap;
    }
    uint8_t *at = b->p + b->len;
    b->len += n;
    return at;
}

static void ckpt__u32(ckpt_buf *b, uint32_t v)
{
    uint8_t *at = ckpt__room(b, 4);
    if (at)
        dtfl_put_u32(at, v);
}

static void ckpt__u64(ckpt_buf *b, uint64_t v)
{
    uint8_t *at = ckpt__room(b, 8);
    if (at)
        dtfl_put_u64(at, v);
}

/* A length-prefixed block of bytes. */
static void ckpt__blob(ckpt_buf *b, const void *p, size_t n)
{
    ckpt__u64(b, n);
    uint8_t *at = ckpt__room(b, n);
    if (at && n)
        memcpy(at, p, n);
}

typedef struct ckpt_rd {
    const uint8_t *p;
    size_t len, at;
    int bad;
} ckpt_rd;

static const uint8_t *ckpt__take(ckpt_rd *r, size_t n)
{
    if (r->bad || n > r->len - r->at) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *q = r->p + r->at;
    r->at += n;
    return q;
}

static uint32_t ckpt__get32(ckpt_rd *r)
{
    const uint8_t *q = ckpt__take(r, 4);
    return q ? dtfl_get_u32(q) : 0;
}

static uint64_t ckpt__get64(ckpt_rd *r)
{
    const uint8_t *q = ckpt__take(r, 8);
    return q ? dtfl_get_u64(q) : 0;
}

static const uint8_t *ckpt__getblob(ckpt_rd *r, size_t *n)
{
    uint64_t len = ckpt__get64(r);
    *n = (size_t)len;
    return len > r->len ? (r->bad = 1, NULL) : ckpt__take(r, (size_t)len);
}

/* ---- common header: magic, version, slot, ranks, config CRC ---- */

static uint32_t ckpt__config_crc(const app_config *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return 0;
    app_config_dump(cfg, f);
    fclose(f);
    uint32_t crc = dtfl_crc32(0, text, len);
    free(text);
    return crc;
}

static void ckpt__head(ckpt_buf *b, const char magic[8], const run_state *s,
                       int t)
{
    uint8_t *m = ckpt__room(b, 8);
    if (m != NULL)
        memcpy(m, magic, 8);
    ckpt__u32(b, CKPT_VERSION);
    ckpt__u32(b, (uint32_t)t);
    ckpt__u32(b, (uint32_t)s->P);
    ckpt__u32(b, ckpt__config_crc(s->cfg));
}

/* Checks size, CRC, magic, version, slot, rank count and config. */
static int ckpt__check(ckpt_rd *r, const char magic[8], const run_state *s,
                       int t, const char *path, dtfl_err *err)
{
    if (r->len < 28 || dtfl_crc32(0, r->p, r->len - 4) !=
                           dtfl_get_u32(r->p + r->len - 4))
        return dtfl_err_set(err, DTFL_ECORRUPT, "%s: damaged (size or "
                                                "checksum)",
                            path);
    r->len -= 4;
    const uint8_t *m = ckpt__take(r, 8);
    if (memcmp(m, magic, 8) != 0)
        return dtfl_err_set(err, DTFL_EDATA, "%s: not a dtfl checkpoint", path);
    uint32_t v = ckpt__get32(r), slot = ckpt__get32(r), P = ckpt__get32(r);
    uint32_t crc = ckpt__get32(r);
    if (v != CKPT_VERSION)
        return dtfl_err_set(err, DTFL_EVERSION,
                            "%s: checkpoint format %u, this dtfl reads %u",
                            path, v, CKPT_VERSION);
    if ((int)slot != t)
        return dtfl_err_set(err, DTFL_EDATA, "%s: holds slot %u, not %d", path,
                            slot, t);
    if ((int)P != s->P)
        return dtfl_err_set(err, DTFL_EUSAGE,
                            "%s: made by %u ranks, this run has %d; resume "
                            "with mpirun -np %u",
                            path, P, s->P, P);
    if (crc != ckpt__config_crc(s->cfg))
        return dtfl_err_set(err, DTFL_ECONFIG,
                            "%s: made with another config than %s/config.yaml",
                            path, s->dir);
    return 0;
}

static int ckpt__write(ckpt_buf *b, const char *path, dtfl_err *err)
{
    ckpt__u32(b, b->bad ? 0 : dtfl_crc32(0, b->p, b->len));
    if (b->bad)
        return dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
    return dtfl_file_write_atomic(path, b->p, b->len, err);
}

/* ---- save ---- */

static int ckpt__save_rank(run_state *s, int t, const char *dir, dtfl_err *err)
{
    ckpt_buf b = {0};
    ckpt__head(&b, "DTFLCKPR", s, t);
    ckpt__u32(&b, (uint32_t)s->rank);
    uint32_t n = 0;
    for (int u = 0; u < s->U; u++)
        n += s->twins[u] != NULL;
    ckpt__u32(&b, n);
    int rc = 0;
    for (int u = 0; u < s->U && rc == 0; u++) {
        if (s->twins[u] == NULL)
            continue;
        size_t len = twin_dt_encode_bound(s->twins[u]);
        ckpt__u64(&b, len);
        uint8_t *at = ckpt__room(&b, len);
        if (at != NULL)
            rc = twin_dt_encode(s->twins[u], at, len, &len, err);
    }
    size_t clen = run_cache_encoded_size(s->cache); /* the outcome bytes kept */
    ckpt__u64(&b, clen);
    uint8_t *cat = ckpt__room(&b, clen);
    if (cat != NULL)
        run_cache_encode(s->cache, cat);
    char path[APP_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/rank-%d.bin", dir, s->rank);
    if (rc == 0)
        rc = ckpt__write(&b, path, err);
    free(b.p);
    return rc;
}

/* A state's bytes through its save function (size first, then bytes). */
typedef int (*ckpt_save_fn)(void *self, uint8_t *buf, size_t *len,
                            dtfl_err *err);

static int ckpt__state(ckpt_buf *b, ckpt_save_fn save, void *self,
                       dtfl_err *err)
{
    size_t len = 0;
    int rc = save(self, NULL, &len, err);
    uint8_t *p = rc == 0 ? malloc(len + 1) : NULL;
    if (rc == 0 && p == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "checkpoint: out of memory");
    if (rc == 0 && (rc = save(self, p, &len, err)) == 0)
        ckpt__blob(b, p, len);
    free(p);
    return rc;
}

static int ckpt__policy_save(void *self, uint8_t *buf, size_t *len,
                             dtfl_err *err)
{
    return scen_policy_save(self, buf, len, err);
}

static int ckpt__save_state(run_state *s, int t, const char *dir, dtfl_err *err)
{
    ckpt_buf b = {0};
    ckpt__head(&b, "DTFLCKPS", s, t);
    ckpt__u32(&b, (uint32_t)s->U);
    ckpt__u32(&b, (uint32_t)s->S);
    ckpt__blob(&b, s->global_w, sizeof(float) * s->nparams);
    for (int u = 0; u < s->U; u++)
        ckpt__u32(&b, (uint32_t)s->assoc[u]);
    ckpt__blob(&b, s->gamma, sizeof(double) * (size_t)s->U);
    scen *sc = app_env_scen(s->env);
    scen_policy *pol = app_env_policy(s->env);
    int rc = ckpt__state(&b, ckpt__policy_save, pol, err);
    if (rc == 0) /* the scenario, and what frame-level agents hold */
        rc = ckpt__state(&b, scen_ops_of(sc)->save, scen_self(sc), err);
    if (rc == 0) {
        int nd, nb, *held;
        double *held_box;
        scen_action_size(app_env_info(s->env), &nd, &nb);
        scen_policy_held(pol, &held, &held_box);
        for (int i = 0; i < nd; i++)
            ckpt__u32(&b, (uint32_t)held[i]);
        ckpt__blob(&b, held_box, sizeof(double) * (size_t)nb);
        size_t n;
        const char *text = app_table_text(s->slots_csv, &n);
        ckpt__blob(&b, text, n);
        text = app_table_text(s->twins_csv, &n);
        ckpt__blob(&b, text, n);
        char path[APP_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/state.bin", dir);
        rc = ckpt__write(&b, path, err);
    }
    free(b.p);
    return rc;
}

/* Keeps the newest CKPT_KEEP slot directories, removes the rest. */
static void ckpt__prune(const char *root)
{
    DIR *d = opendir(root);
    if (d == NULL)
        return;
    int slots[256], n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 256;) {
        int t;
        if (sscanf(e->d_name, "slot-%d", &t) == 1)
            slots[n++] = t;
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        int newer = 0;
        for (int j = 0; j < n; j++)
            newer += slots[j] > slots[i];
        if (newer < CKPT_KEEP)
            continue;
        char path[APP_PATH_MAX + 128];
        const char *files[] = {"COMPLETE", "state.bin"};
        for (int k = 0; k < 2; k++) {
            snprintf(path, sizeof path, "%s/slot-%d/%s", root, slots[i], files[k]);
            unlink(path);
        }
        for (int r = 0; r < 4096; r++) {
            snprintf(path, sizeof path, "%s/slot-%d/rank-%d.bin", root, slots[i], r);
            if (unlink(path) != 0)
                break;
        }
        snprintf(path, sizeof path, "%s/slot-%d", root, slots[i]);
        rmdir(path);
    }
}

int run_ckpt_save(run_state *s, int t, dtfl_err *err)
{
    char root[APP_PATH_MAX + 16], dir[APP_PATH_MAX + 48];
    snprintf(root, sizeof root, "%s/ckpt", s->dir);
    snprintf(dir, sizeof dir, "%s/slot-%d", root, t);
    int rc = dtfl_mkdirs(dir, err);
    if (rc == 0)
        rc = ckpt__save_rank(s, t, dir, err);
    if (rc == 0 && s->rank == 0)
        rc = ckpt__save_state(s, t, dir, err);
    /* it counts only when every rank wrote its part */
    int64_t bad = rc < 0;
    int rc2 = net_allreduce_i64(s->comm, &bad, 1, err);
    if (rc < 0 || rc2 < 0)
        return rc < 0 ? rc : rc2;
    if (bad)
        return dtfl_err_set(err, DTFL_EIO, "checkpoint of slot %d failed on "
                                           "another rank",
                            t);
    if (s->rank != 0)
        return 0;
    char path[APP_PATH_MAX + 64], text[64];
    snprintf(path, sizeof path, "%s/COMPLETE", dir);
    int n = snprintf(text, sizeof text, "slot %d ranks %d\n", t, s->P);
    if ((rc = dtfl_file_write_atomic(path, text, (size_t)n, err)) < 0)
        return rc;
    ckpt__prune(root);
    return 0;
}

/* ---- load ---- */

static int ckpt__read(const char *path, uint8_t **buf, size_t *len,
                      dtfl_err *err)
{
    return dtfl_file_read_all(path, (size_t)1 << 34, buf, len, err);
}

/* This rank's twins from rank-<r>.bin (replacing any it holds). */
static int ckpt__load_rank(run_state *s, int t, const char *dir, dtfl_err *err)
{
    char path[APP_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/rank-%d.bin", dir, s->rank);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = ckpt__read(path, &buf, &len, err);
    if (rc < 0)
        return rc;
    ckpt_rd r = {buf, len, 0, 0};
    if ((rc = ckpt__check(&r, "DTFLCKPR", s, t, path, err)) < 0)
        goto done;
    if ((int)ckpt__get32(&r) != s->rank) {
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: written by another rank", path);
        goto done;
    }
    uint32_t n = ckpt__get32(&r);
    for (uint32_t i = 0; i < n && rc == 0 && !r.bad; i++) {
        size_t tl;
        const uint8_t *tb = ckpt__getblob(&r, &tl);
        twin_dt *dt = NULL;
        if (tb == NULL)
            break;
        rc = twin_dt_decode(tb, tl, &s->mig.expect, path, &dt, err);
        if (rc == 0 && (dt->user >= (uint32_t)s->U || s->twins[dt->user])) {
            rc = dtfl_err_set(err, DTFL_EDATA, "%s: twin %u twice or unknown",
                              path, dt->user);
            twin_dt_destroy(dt);
        } else if (rc == 0) {
            s->twins[dt->user] = dt;
        }
    }
    size_t cl = 0;
    const uint8_t *cb = rc == 0 && !r.bad ? ckpt__getblob(&r, &cl) : NULL;
    if (cb != NULL)
        rc = run_cache_decode(s->cache, cb, cl, s->S, s->P, s->rank, path, err);
    if (rc == 0 && (r.bad || r.at != r.len))
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: truncated or padded", path);
done:
    free(buf);
    return rc;
}

/* Rank 0's state; the shared parts are broadcast afterwards. */
static int ckpt__load_state(run_state *s, int t, const char *dir, dtfl_err *err)
{
    char path[APP_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/state.bin", dir);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = ckpt__read(path, &buf, &len, err);
    if (rc < 0)
        return rc;
    ckpt_rd r = {buf, len, 0, 0};
    if ((rc = ckpt__check(&r, "DTFLCKPS", s, t, path, err)) < 0)
        goto done;
    size_t n;
    if ((int)ckpt__get32(&r) != s->U || (int)ckpt__get32(&r) != s->S) {
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: another number of users or "
                                           "servers",
                          path);
        goto done;
    }
    const uint8_t *w = ckpt__getblob(&r, &n);
    if (w == NULL || n != sizeof(float) * s->nparams) {
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: model of another size", path);
        goto done;
    }
    memcpy(s->global_w, w, n);
    for (int u = 0; u < s->U; u++) {
        s->assoc[u] = (int)ckpt__get32(&r);
        if (s->assoc[u] < 0 || s->assoc[u] >= s->S)
            r.bad = 1;
    }
    const uint8_t *g = ckpt__getblob(&r, &n);
    size_t lsc, lbox;
    const uint8_t *pol = ckpt__getblob(&r, &len);
    const uint8_t *sst = ckpt__getblob(&r, &lsc);
    int nd, nb, *held;
    double *held_box;
    scen_action_size(app_env_info(s->env), &nd, &nb);
    scen_policy_held(app_env_policy(s->env), &held, &held_box);
    for (int i = 0; i < nd; i++)
        held[i] = (int)ckpt__get32(&r);
    const uint8_t *hb = ckpt__getblob(&r, &lbox);
    size_t l1, l2;
    const uint8_t *t1 = ckpt__getblob(&r, &l1), *t2 = ckpt__getblob(&r, &l2);
    if (r.bad || g == NULL || n != sizeof(double) * (size_t)s->U ||
        lbox != sizeof(double) * (size_t)nb || r.at != r.len) {
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: truncated or malformed", path);
        goto done;
    }
    memcpy(s->gamma, g, n);
    if (nb > 0)
        memcpy(held_box, hb, lbox);
    scen *sc = app_env_scen(s->env);
    if ((rc = scen_policy_load(app_env_policy(s->env), pol, len, err)) < 0 ||
        (rc = scen_ops_of(sc)->load(scen_self(sc), sst, lsc, err)) < 0)
        goto done;
    if (app_table_set_text(s->slots_csv, (const char *)t1, l1) < 0 ||
        app_table_set_text(s->twins_csv, (const char *)t2, l2) < 0)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
done:
    free(buf);
    return rc;
}

/* A checkpoint of another run (rank count, config) or another dtfl (format
 * version) is not damage: resuming must stop and say so rather than fall
 * back to an older one. */
static int ckpt__fatal(int rc)
{
    return rc == DTFL_EUSAGE || rc == DTFL_ECONFIG || rc == DTFL_EVERSION ||
           rc == DTFL_EMPI || rc == DTFL_ENOMEM;
}

/* Tries slot directory t on every rank. Returns 0 when every rank loaded
 * it; otherwise the same outcome on every rank: a fatal code, or
 * DTFL_ECORRUPT to try an older checkpoint (err says why on the ranks that
 * saw the problem). */
static int ckpt__try(run_state *s, int t, dtfl_err *err)
{
    char dir[APP_PATH_MAX + 48];
    snprintf(dir, sizeof dir, "%s/ckpt/slot-%d", s->dir, t);
    for (int u = 0; u < s->U; u++) {
        twin_dt_destroy(s->twins[u]);
        s->twins[u] = NULL;
    }
    run_cache_clear(s->cache);
    int rc = ckpt__load_rank(s, t, dir, err);
    if (rc == 0 && s->rank == 0)
        rc = ckpt__load_state(s, t, dir, err);
    if (rc < 0 && s->rank != 0) /* rank 0 reports its own through err */
        fprintf(stderr, "dtfl run: rank %d: %s\n", s->rank, err->msg);
    int64_t flags[2] = {rc < 0, ckpt__fatal(rc)};
    int rc2 = net_allreduce_i64(s->comm, flags, 2, err);
    if (rc2 < 0)
        return rc2;
    if (flags[1])
        return ckpt__fatal(rc) ? rc
                               : dtfl_err_set(err, DTFL_EUSAGE,
                                              "%s: another rank refused it", dir);
    if (flags[0])
        return rc < 0 ? DTFL_ECORRUPT
                      : dtfl_err_set(err, DTFL_ECORRUPT,
                                     "%s: another rank could not load it", dir);
    if ((rc = net_bcast(s->comm, s->global_w, sizeof(float) * s->nparams, 0, err)) < 0 ||
        (rc = net_bcast(s->comm, s->assoc, sizeof(int) * (size_t)s->U, 0, err)) < 0 ||
        (rc = net_bcast(s->comm, s->gamma, sizeof(double) * (size_t)s->U, 0, err)) < 0)
        return rc;
    return 0;
}

/* Rank 0 lists complete checkpoints, newest first. */
static int ckpt__list(const run_state *s, int *slots, int cap)
{
    char root[APP_PATH_MAX + 16];
    snprintf(root, sizeof root, "%s/ckpt", s->dir);
    DIR *d = opendir(root);
    if (d == NULL)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < cap;) {
        int t;
        char path[APP_PATH_MAX + 320];
        struct stat st;
        if (sscanf(e->d_name, "slot-%d", &t) != 1)
            continue;
        snprintf(path, sizeof path, "%s/%s/COMPLETE", root, e->d_name);
        if (stat(path, &st) == 0)
            slots[n++] = t;
    }
    closedir(d);
    for (int i = 0; i < n; i++) /* newest first */
        for (int j = i + 1; j < n; j++)
            if (slots[j] > slots[i]) {
                int x = slots[i];
                slots[i] = slots[j];
                slots[j] = x;
            }
    return n;
}

int run_ckpt_load(run_state *s, dtfl_err *err)
{
    int slots[64];
    int n = s->rank == 0 ? ckpt__list(s, slots, 64) : 0;
    int rc = net_bcast(s->comm, &n, sizeof n, 0, err);
    if (rc == 0)
        rc = net_bcast(s->comm, slots, sizeof slots, 0, err);
    if (rc < 0)
        return rc;
    if (n == 0)
        return dtfl_err_set(err, DTFL_ENOINPUT, "%s/ckpt: no complete "
                                                "checkpoint to resume from",
                            s->dir);
    dtfl_err first = {0};
    for (int i = 0; i < n; i++) {
        rc = ckpt__try(s, slots[i], err);
        if (rc == 0) {
            if (s->rank == 0 && i > 0)
                fprintf(stderr, "dtfl run: the newest checkpoint is unusable "
                                "(%s); resuming from slot %d\n",
                        first.msg[0] ? first.msg : "see other ranks", slots[i]);
            for (int k = 1; k <= slots[i]; k++)
                twin_world_step(s->world, k);
            s->first_slot = slots[i] + 1;
            return 0;
        }
        if (i == 0 && err != NULL)
            first = *err;
        if (rc != DTFL_ECORRUPT)
            return rc; /* fatal: another run's checkpoint, or MPI */
    }
    if (err != NULL && first.code != 0)
        *err = first;
    return DTFL_ECORRUPT;
}
