/*
 * dt_codec.c - the byte format of a user digital twin (docs/formats.md):
 *
 *   0   8   magic "DTFLTWIN"          16  8  total length, CRC included
 *   8   4   format version            24  4  user
 *   12  4   section count k           28  4  slot
 *   32  24k section table: type u32, zero u32, offset u64, length u64
 *   ... sections, back to back, in table order
 *   end 8   XXH3-64 of every byte before it (xxhash, seed 0)
 *
 * Sections: META (dim, cur n, prev n, zero, weights count u64, blob bytes
 * u64), WEIGHTS (float32), BLOB, CUR_X, CUR_Y, PREV_X, PREV_Y, each exactly
 * once, and in version 2 STATUS (slot i64, from i32, zero u32, bytes i64,
 * digest u64, 4 values f64: the last status update applied). A twin
 * without a status is written as version 1. The decoder checks sizes,
 * magic, version, checksum, that the sections tile the body exactly, every
 * length against META and the receiver's expectations, labels, weights
 * and the status, before it allocates or copies anything.
 */
#include "twin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* Float weights travel as little-endian binary32: a plain copy on
 * little-endian hosts, byte by byte elsewhere. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DT_LITTLE_ENDIAN 1
#else
#define DT_LITTLE_ENDIAN 0
#endif
#define DT_SUM 8u /* trailer: XXH3-64 */

#define DT_MAGIC "DTFLTWIN"
#define DT_HEAD 32u
#define DT_ENTRY 24u
#define DT_META 32u
#define DT_STATUS 64u
#define DT_NSEC 8 /* STATUS last, in version 2 only */
#define DT_MAX_SAMPLES (1u << 24)
#define DT_MAX_BLOB (64u << 20)

static const uint32_t dt_order[DT_NSEC] = {
    TWIN_SEC_META,  TWIN_SEC_WEIGHTS, TWIN_SEC_BLOB,  TWIN_SEC_CUR_X,
    TWIN_SEC_CUR_Y, TWIN_SEC_PREV_X,  TWIN_SEC_PREV_Y, TWIN_SEC_STATUS};

/* Sections dt is written with: STATUS only once it has one. */
static int dt__nsec(const twin_dt *dt) { return dt->has_status ? DT_NSEC : DT_NSEC - 1; }

/* Lengths of the sections of dt, in dt_order. */
static void dt__lengths(const twin_dt *dt, size_t *len)
{
    len[7] = DT_STATUS;
    len[0] = DT_META;
    len[1] = 4 * dt->nweights;
    len[2] = dt->blob_len;
    len[3] = (size_t)dt->cur.n * dt->dim;
    len[4] = (size_t)dt->cur.n;
    len[5] = (size_t)dt->prev.n * dt->dim;
    len[6] = (size_t)dt->prev.n;
}

size_t twin_dt_encode_bound(const twin_dt *dt)
{
    const int k = dt__nsec(dt);
    size_t len[DT_NSEC], total = DT_HEAD + DT_ENTRY * (size_t)k + DT_SUM;
    dt__lengths(dt, len);
    for (int i = 0; i < k; i++)
        total += len[i];
    return total;
}

int twin_dt_encode(const twin_dt *dt, uint8_t *buf, size_t cap, size_t *out,
                   dtfl_err *err)
{
    size_t total = twin_dt_encode_bound(dt);
    if (cap < total)
        return dtfl_err_set(err, DTFL_ERANGE,
                            "twin %u: %zu bytes needed, buffer has %zu",
                            dt->user, total, cap);
    size_t len[DT_NSEC];
    const int k = dt__nsec(dt);
    dt__lengths(dt, len);
    memcpy(buf, DT_MAGIC, 8);
    dtfl_put_u32(buf + 8, dt->has_status ? TWIN_DT_VERSION : 1u);
    dtfl_put_u32(buf + 12, (uint32_t)k);
    dtfl_put_u64(buf + 16, total);
    dtfl_put_u32(buf + 24, dt->user);
    dtfl_put_u32(buf + 28, dt->slot);
    size_t off = DT_HEAD + DT_ENTRY * (size_t)k;
    for (int i = 0; i < k; i++) {
        uint8_t *e = buf + DT_HEAD + DT_ENTRY * i;
        dtfl_put_u32(e, dt_order[i]);
        dtfl_put_u32(e + 4, 0);
        dtfl_put_u64(e + 8, off);
        dtfl_put_u64(e + 16, len[i]);
        off += len[i];
    }
    uint8_t *p = buf + DT_HEAD + DT_ENTRY * (size_t)k;
    dtfl_put_u32(p, (uint32_t)dt->dim);
    dtfl_put_u32(p + 4, (uint32_t)dt->cur.n);
    dtfl_put_u32(p + 8, (uint32_t)dt->prev.n);
    dtfl_put_u32(p + 12, 0);
    dtfl_put_u64(p + 16, dt->nweights);
    dtfl_put_u64(p + 24, dt->blob_len);
    p += DT_META;
    if (DT_LITTLE_ENDIAN) {
        memcpy(p, dt->weights, len[1]);
    } else {
        for (size_t i = 0; i < dt->nweights; i++) {
            uint32_t u;
            memcpy(&u, &dt->weights[i], 4);
            dtfl_put_u32(p + 4 * i, u);
        }
    }
    p += len[1];
    const uint8_t *src[5] = {dt->blob, dt->cur.x, dt->cur.y, dt->prev.x,
                             dt->prev.y};
    for (int i = 0; i < 5; i++) {
        if (len[2 + i] > 0)
            memcpy(p, src[i], len[2 + i]);
        p += len[2 + i];
    }
    if (dt->has_status) {
        const twin_status *s = &dt->status;
        dtfl_put_u64(p, (uint64_t)s->slot);
        dtfl_put_u32(p + 8, (uint32_t)s->from);
        dtfl_put_u32(p + 12, 0);
        dtfl_put_u64(p + 16, (uint64_t)s->bytes);
        dtfl_put_u64(p + 24, s->digest);
        for (int i = 0; i < 4; i++)
            dtfl_put_f64(p + 32 + 8 * i, s->value[i]);
        p += DT_STATUS;
    }
    dtfl_put_u64(p, XXH3_64bits(buf, total - DT_SUM));
    *out = total;
    return 0;
}

/* Header and table checks shared by decode and sections. */
static int dt__table(const uint8_t *buf, size_t len, const char *name,
                     twin_section *sec, int *nsec, dtfl_err *err)
{
    if (len < DT_HEAD + DT_SUM)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: %zu bytes, shorter than a twin header", name,
                            len);
    if (memcmp(buf, DT_MAGIC, 8) != 0)
        return dtfl_err_set(err, DTFL_EDATA, "%s: not a twin (bad magic)", name);
    uint32_t version = dtfl_get_u32(buf + 8);
    if (version < 1 || version > TWIN_DT_VERSION)
        return dtfl_err_set(err, DTFL_EVERSION,
                            "%s: twin format version %u, this dtfl reads 1 to %u",
                            name, version, TWIN_DT_VERSION);
    uint64_t total = dtfl_get_u64(buf + 16);
    if (total != len)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: header says %llu bytes, received %zu "
                            "(truncated or padded)",
                            name, (unsigned long long)total, len);
    uint32_t k = dtfl_get_u32(buf + 12);
    if (k < 1 || k > TWIN_MAX_SECTIONS ||
        DT_HEAD + DT_ENTRY * (size_t)k + DT_SUM > len)
        return dtfl_err_set(err, DTFL_EDATA, "%s: bad section count %u", name, k);
    size_t next = DT_HEAD + DT_ENTRY * (size_t)k, body_end = len - DT_SUM;
    for (uint32_t i = 0; i < k; i++) {
        const uint8_t *e = buf + DT_HEAD + DT_ENTRY * i;
        uint64_t off = dtfl_get_u64(e + 8), n = dtfl_get_u64(e + 16);
        if (dtfl_get_u32(e + 4) != 0)
            return dtfl_err_set(err, DTFL_EDATA, "%s: section %u: reserved "
                                "field is %u, not 0", name, i, dtfl_get_u32(e + 4));
        if (off != next || n > body_end - off)
            return dtfl_err_set(err, DTFL_EDATA,
                                "%s: section %u (type %u) at %llu+%llu does "
                                "not follow at %zu inside %zu bytes",
                                name, i, dtfl_get_u32(e),
                                (unsigned long long)off,
                                (unsigned long long)n, next, body_end);
        sec[i] = (twin_section){dtfl_get_u32(e), (size_t)off, (size_t)n};
        next = (size_t)(off + n);
    }
    if (next != body_end)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: sections end at %zu, the body at %zu", name,
                            next, body_end);
    *nsec = (int)k;
    return 0;
}

int twin_dt_sections(const uint8_t *buf, size_t len, twin_section *sec,
                     int *nsec, dtfl_err *err)
{
    return dt__table(buf, len, "twin", sec, nsec, err);
}

/* Finds the one section of `type`; NULL (with err) when missing or twice. */
static const twin_section *dt__find(const twin_section *sec, int n,
                                    uint32_t type, const char *name,
                                    dtfl_err *err)
{
    const twin_section *hit = NULL;
    for (int i = 0; i < n; i++) {
        if (sec[i].type != type)
            continue;
        if (hit != NULL) {
            dtfl_err_set(err, DTFL_EDATA, "%s: section type %u appears twice",
                         name, type);
            return NULL;
        }
        hit = &sec[i];
    }
    if (hit == NULL)
        dtfl_err_set(err, DTFL_EDATA, "%s: section type %u is missing", name,
                     type);
    return hit;
}

static int dt__check_len(const twin_section *s, uint64_t want, const char *what,
                         const char *name, dtfl_err *err)
{
    if (s->length == want)
        return 0;
    return dtfl_err_set(err, DTFL_EDATA, "%s: %s section has %zu bytes, %llu "
                                         "expected",
                        name, what, s->length, (unsigned long long)want);
}

/* STATUS: 64 bytes, a slot from -1, a server from -1 (the cloud), a
 * length from 0, the reserved field 0 and finite values. */
static int dt__check_status(const uint8_t *buf, const twin_section *s, const char *name,
                            dtfl_err *err)
{
    if (s->length != DT_STATUS)
        return dtfl_err_set(err, DTFL_EDATA, "%s: STATUS has %zu bytes, %u expected",
                            name, s->length, DT_STATUS);
    const uint8_t *p = buf + s->offset;
    const int64_t slot = (int64_t)dtfl_get_u64(p), bytes = (int64_t)dtfl_get_u64(p + 16);
    const int32_t from = (int32_t)dtfl_get_u32(p + 8);
    int finite = 1;
    for (int i = 0; i < 4; i++)
        finite &= isfinite(dtfl_get_f64(p + 32 + 8 * i)) != 0;
    if (slot < -1 || from < -1 || bytes < 0 || dtfl_get_u32(p + 12) != 0 || !finite)
        return dtfl_err_set(err, DTFL_EDATA, "%s: STATUS of slot %lld from server %d, "
                            "%lld bytes, values %s", name, (long long)slot, (int)from,
                            (long long)bytes, finite ? "finite" : "not finite");
    return 0;
}

/* Checks META and every section length against it and the expectations;
 * fills the section pointers in dt order. */
static int dt__check(const uint8_t *buf, const twin_section *sec, int n,
                     const twin_dt_expect *ex, const char *name,
                     const twin_section **by, uint32_t *curn, uint32_t *prevn,
                     dtfl_err *err)
{
    const int need = dtfl_get_u32(buf + 8) >= 2 ? DT_NSEC : DT_NSEC - 1;
    if (n != need)
        return dtfl_err_set(err, DTFL_EDATA, "%s: %d sections, version %u has %d", name,
                            n, dtfl_get_u32(buf + 8), need);
    by[DT_NSEC - 1] = NULL;
    for (int i = 0; i < need; i++)
        if ((by[i] = dt__find(sec, n, dt_order[i], name, err)) == NULL)
            return DTFL_EDATA;
    if (by[0]->length != DT_META)
        return dtfl_err_set(err, DTFL_EDATA, "%s: META has %zu bytes", name,
                            by[0]->length);
    const uint8_t *m = buf + by[0]->offset;
    uint32_t dim = dtfl_get_u32(m);
    *curn = dtfl_get_u32(m + 4);
    *prevn = dtfl_get_u32(m + 8);
    uint64_t nw = dtfl_get_u64(m + 16), blob = dtfl_get_u64(m + 24);
    if (dtfl_get_u32(m + 12) != 0)
        return dtfl_err_set(err, DTFL_EDATA, "%s: META's reserved field is %u, "
                            "not 0", name, dtfl_get_u32(m + 12));
    if (dim != (uint32_t)ex->dim || nw != ex->nweights)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: twin made for %u-pixel images and %llu "
                            "weights, expected %d and %zu",
                            name, dim, (unsigned long long)nw, ex->dim,
                            ex->nweights);
    if (*curn > DT_MAX_SAMPLES || *prevn > DT_MAX_SAMPLES || blob > DT_MAX_BLOB)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: %u + %u samples or a %llu-byte blob is more "
                            "than a twin may hold",
                            name, *curn, *prevn, (unsigned long long)blob);
    int rc;
    if ((rc = dt__check_len(by[1], 4 * nw, "WEIGHTS", name, err)) < 0 ||
        (rc = dt__check_len(by[2], blob, "BLOB", name, err)) < 0 ||
        (rc = dt__check_len(by[3], (uint64_t)*curn * dim, "CUR_X", name, err)) < 0 ||
        (rc = dt__check_len(by[4], *curn, "CUR_Y", name, err)) < 0 ||
        (rc = dt__check_len(by[5], (uint64_t)*prevn * dim, "PREV_X", name, err)) < 0 ||
        (rc = dt__check_len(by[6], *prevn, "PREV_Y", name, err)) < 0)
        return rc;
    for (int k = 4; k <= 6; k += 2)
        for (size_t i = 0; i < by[k]->length; i++)
            if (buf[by[k]->offset + i] >= ex->classes)
                return dtfl_err_set(err, DTFL_EDATA,
                                    "%s: label %u is not below %d classes",
                                    name, buf[by[k]->offset + i], ex->classes);
    return by[7] != NULL ? dt__check_status(buf, by[7], name, err) : 0;
}

/* Index of the first weight that is NaN or infinite (all exponent bits
 * set), or n when all are finite; a loop the compiler vectorises. */
static size_t dt__first_nonfinite(const float *w, size_t n)
{
    const uint32_t *u = (const uint32_t *)(const void *)w;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= (u[i] & 0x7f800000u) == 0x7f800000u;
    if (!bad)
        return n;
    for (size_t i = 0; i < n; i++)
        if ((u[i] & 0x7f800000u) == 0x7f800000u)
            return i;
    return n;
}

int twin_dt_decode(const uint8_t *buf, size_t len, const twin_dt_expect *ex,
                   const char *name, twin_dt **out, dtfl_err *err)
{
    *out = NULL;
    twin_section sec[TWIN_MAX_SECTIONS];
    int n = 0;
    int rc = dt__table(buf, len, name, sec, &n, err);
    if (rc < 0)
        return rc;
    if (XXH3_64bits(buf, len - DT_SUM) != dtfl_get_u64(buf + len - DT_SUM))
        return dtfl_err_set(err, DTFL_ECORRUPT, "%s: checksum mismatch", name);
    const twin_section *by[DT_NSEC];
    uint32_t curn = 0, prevn = 0;
    if ((rc = dt__check(buf, sec, n, ex, name, by, &curn, &prevn, err)) < 0)
        return rc;
    twin_dt *dt = NULL;
    /* the blob is overwritten below; its size comes from the section */
    rc = twin_dt_create(&dt, dtfl_get_u32(buf + 24), ex->dim, ex->nweights,
                        8.0 * (double)by[2]->length, 0, err);
    if (rc < 0)
        return rc;
    dt->slot = dtfl_get_u32(buf + 28);
    if (DT_LITTLE_ENDIAN) {
        memcpy(dt->weights, buf + by[1]->offset, 4 * ex->nweights);
    } else {
        for (size_t i = 0; i < ex->nweights; i++) {
            uint32_t u = dtfl_get_u32(buf + by[1]->offset + 4 * i);
            memcpy(&dt->weights[i], &u, 4);
        }
    }
    size_t bad = dt__first_nonfinite(dt->weights, ex->nweights);
    if (bad < ex->nweights) {
        twin_dt_destroy(dt);
        return dtfl_err_set(err, DTFL_EDATA, "%s: weight %zu is not finite",
                            name, bad);
    }
    memcpy(dt->blob, buf + by[2]->offset, by[2]->length);
    twin_buf *bufs[2] = {&dt->cur, &dt->prev};
    uint32_t counts[2] = {curn, prevn};
    for (int b = 0; b < 2; b++) {
        twin_buf *tb = bufs[b];
        tb->n = (int)counts[b];
        tb->x = malloc(by[3 + 2 * b]->length + 1);
        tb->y = malloc(by[4 + 2 * b]->length + 1);
        if (tb->x == NULL || tb->y == NULL) {
            twin_dt_destroy(dt);
            return dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", name);
        }
        memcpy(tb->x, buf + by[3 + 2 * b]->offset, by[3 + 2 * b]->length);
        memcpy(tb->y, buf + by[4 + 2 * b]->offset, by[4 + 2 * b]->length);
    }
    if (by[7] != NULL) { /* checked above */
        const uint8_t *p = buf + by[7]->offset;
        twin_status s = {(int64_t)dtfl_get_u64(p), (int32_t)dtfl_get_u32(p + 8),
                         (int64_t)dtfl_get_u64(p + 16), dtfl_get_u64(p + 24), {0}};
        for (int i = 0; i < 4; i++)
            s.value[i] = dtfl_get_f64(p + 32 + 8 * i);
        twin_dt_set_status(dt, &s);
    }
    *out = dt;
    return 0;
}
