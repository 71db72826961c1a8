/*
 * frame.c - one twin on the wire: a header message, then chunk messages that
 * tile the encoded twin (docs/formats.md, "Migration frames").
 *
 *   header (40 bytes): magic "DTFLMIGR", version u32, user u32, from u32,
 *     to u32, raw length u64, chunk count u32, CRC-32 of the 36 bytes before
 *   chunk (24 bytes + payload): index u32, codec u32 (0 raw, 1 LZ4 frame),
 *     raw offset u64, raw length u32, CRC-32 of the 20 bytes before; then the
 *     raw bytes or one LZ4 frame (content size and content checksum on)
 *
 * Chunks never span two sections of the twin, so each section gets its own
 * codec: `none` sends raw bytes, `lz4` compresses every section, `auto`
 * compresses a section only when a probe of it says that compressing,
 * sending fewer bytes and decompressing beat sending it raw at the rate the
 * wire moves. A probe costs as much as sending a few chunks, so within one
 * migration each section type is probed once (net_codec_memo). The receiver checks every header, decompresses with LZ4's
 * checked frame API into exactly the announced space, and hands the
 * assembled bytes to the twin decoder, which checks the twin's own
 * checksum.
 */
#include "net.h"

#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAGIC "DTFLMIGR"
#define FRAME_VERSION 1u
#define FRAME_HEAD 40u
#define CHUNK_HEAD 24u
#define CODEC_RAW 0u
#define CODEC_LZ4 1u
#define FRAME_MAX_RAW ((uint64_t)1 << 31)
#define PROBE_BYTES 16384u
#define TINY_SECTION 4096u

void net_frames_free(net_frames *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->msg[i]);
    free(f->msg);
    free(f->len);
    memset(f, 0, sizeof *f);
}

static LZ4F_preferences_t frame__prefs(size_t len)
{
    LZ4F_preferences_t p;
    memset(&p, 0, sizeof p);
    p.frameInfo.blockSizeID = LZ4F_max256KB;
    p.frameInfo.blockMode = LZ4F_blockIndependent;
    p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    p.frameInfo.contentSize = len;
    return p;
}

/* Compresses src into a new buffer; returns its length, 0 on failure. */
static size_t frame__lz4(const uint8_t *src, size_t len, uint8_t **out)
{
    LZ4F_preferences_t prefs = frame__prefs(len);
    size_t cap = LZ4F_compressFrameBound(len, &prefs);
    uint8_t *dst = malloc(CHUNK_HEAD + cap);
    if (dst == NULL)
        return 0;
    size_t n = LZ4F_compressFrame(dst + CHUNK_HEAD, cap, src, len, &prefs);
    if (LZ4F_isError(n)) {
        free(dst);
        return 0;
    }
    *out = dst;
    return n;
}

/* Does compressing this section pay at the rate the wire moves? Chunks are
 * compressed while earlier ones are on the wire, so a compressed section
 * flows at the pace of its slowest stage: LZ4 at speed c, the wire at
 * `wire` bytes/s carrying r bytes per raw byte, decompression (taken at 4c).
 * It pays when min(c, wire / r, 4c) beats sending raw at `wire` by 10%; the
 * probe measures r and c on the section's first 16 KiB. */
static int frame__pays(const uint8_t *src, size_t len, double wire)
{
    if (wire <= 0.0)
        return 0;
    size_t n = len < PROBE_BYTES ? len : PROBE_BYTES;
    uint8_t *tmp = NULL;
    double t = dtfl_now();
    size_t z = frame__lz4(src, n, &tmp);
    t = dtfl_now() - t;
    free(tmp);
    if (z == 0 || z >= n)
        return 0;
    double r = (double)z / (double)n;
    double c = (double)n / (t > 1e-9 ? t : 1e-9);
    double flow = c < wire / r ? c : wire / r;
    return flow > 1.1 * wire;
}

static uint32_t frame__codec(const net_migrate_params *p, uint32_t type,
                             const uint8_t *src, size_t len,
                             net_codec_memo *memo)
{
    if (p->compression == NET_COMPRESS_NONE || len < 64)
        return CODEC_RAW;
    if (p->compression == NET_COMPRESS_LZ4)
        return CODEC_LZ4;
    if (len < TINY_SECTION)
        return CODEC_RAW;
    uint8_t *known = memo != NULL && type < TWIN_MAX_SECTIONS ? &memo->codec[type]
                                                             : NULL;
    if (known != NULL && *known != 0)
        return *known == 2 ? CODEC_LZ4 : CODEC_RAW;
    uint32_t c = frame__pays(src, len, p->wire_bytes_per_s) ? CODEC_LZ4 : CODEC_RAW;
    if (known != NULL)
        *known = c == CODEC_LZ4 ? 2 : 1;
    return c;
}

/* A region of the encoded twin with one codec: the head (header and
 * section table), each section, the checksum trailer. */
typedef struct frame_region {
    size_t off, len;
    uint32_t type;     /* section type, 0 for head and trailer */
    int decided;       /* codec chosen (lazily, at its first chunk) */
    uint32_t codec;
} frame_region;

typedef struct frame_chunk {
    size_t off, len;   /* raw bytes of the twin it carries */
    int region;
} frame_chunk;

struct net_framer {
    uint8_t *raw;                 /* the encoded twin */
    size_t len;
    net_move mv;
    const net_migrate_params *p;
    net_codec_memo *memo;
    frame_region reg[TWIN_MAX_SECTIONS + 2];
    int nreg;
    frame_chunk *chunk;           /* (n - 1,) */
    int n, next;                  /* messages, header included; produced */
    int damage;                   /* message to damage, -1 for none */
};

void net_framer_destroy(net_framer *f)
{
    if (f == NULL)
        return;
    free(f->raw);
    free(f->chunk);
    free(f);
}

int net_framer_count(const net_framer *f) { return f->n; }
int64_t net_framer_raw_bytes(const net_framer *f) { return (int64_t)f->len; }

/* Plans regions and chunks; nothing is compressed yet. */
static int frame__plan(net_framer *f, const twin_section *sec, int nsec)
{
    const size_t chunk = f->p->chunk_bytes;
    size_t body = sec[nsec - 1].offset + sec[nsec - 1].length;
    f->reg[f->nreg++] = (frame_region){0, sec[0].offset, 0, 1, CODEC_RAW};
    for (int i = 0; i < nsec; i++)
        f->reg[f->nreg++] = (frame_region){sec[i].offset, sec[i].length,
                                           sec[i].type, 0, CODEC_RAW};
    f->reg[f->nreg++] = (frame_region){body, f->len - body, 0, 1, CODEC_RAW};
    int total = 0;
    for (int r = 0; r < f->nreg; r++)
        total += (int)((f->reg[r].len + chunk - 1) / chunk);
    f->chunk = calloc((size_t)total + 1, sizeof *f->chunk);
    if (f->chunk == NULL)
        return DTFL_ENOMEM;
    int k = 0, biggest = 0;
    for (int r = 0; r < f->nreg; r++) {
        if (f->reg[r].len > f->reg[biggest].len)
            biggest = r;
        for (size_t done = 0; done < f->reg[r].len; done += chunk) {
            size_t n = f->reg[r].len - done < chunk ? f->reg[r].len - done : chunk;
            f->chunk[k++] = (frame_chunk){f->reg[r].off + done, n, r};
        }
    }
    f->n = 1 + k;
    f->damage = -1;
    if (f->p->fault != NET_FAULT_NONE && f->mv.user == f->p->fault_user) {
        f->damage = f->p->fault == NET_FAULT_VERSION ? 0 : f->n - 1;
        if (f->p->fault == NET_FAULT_FLIP) /* the first chunk of the largest */
            for (int c = 0; c < k; c++)
                if (f->chunk[c].region == biggest) {
                    f->damage = 1 + c;
                    break;
                }
    }
    return 0;
}

int net_framer_create(net_framer **out, const twin_dt *dt, const net_move *mv,
                      const net_migrate_params *p, net_codec_memo *memo,
                      dtfl_err *err)
{
    *out = NULL;
    net_framer *f = calloc(1, sizeof *f);
    if (f == NULL || p->chunk_bytes == 0)
        goto nomem;
    f->mv = *mv;
    f->p = p;
    f->memo = memo;
    f->len = twin_dt_encode_bound(dt);
    if ((f->raw = malloc(f->len)) == NULL)
        goto nomem;
    int rc = twin_dt_encode(dt, f->raw, f->len, &f->len, err);
    twin_section sec[TWIN_MAX_SECTIONS];
    int nsec = 0;
    if (rc == 0)
        rc = twin_dt_sections(f->raw, f->len, sec, &nsec, err);
    if (rc < 0) {
        net_framer_destroy(f);
        return rc;
    }
    if (frame__plan(f, sec, nsec) < 0)
        goto nomem;
    *out = f;
    return 0;
nomem:
    net_framer_destroy(f);
    return dtfl_err_set(err, DTFL_ENOMEM, "twin %u: out of memory framing it",
                        dt->user);
}

static uint8_t *frame__header(const net_framer *f, size_t *len)
{
    uint8_t *h = malloc(FRAME_HEAD);
    if (h == NULL)
        return NULL;
    memcpy(h, FRAME_MAGIC, 8);
    dtfl_put_u32(h + 8, f->damage == 0 ? FRAME_VERSION + 1 : FRAME_VERSION);
    dtfl_put_u32(h + 12, (uint32_t)f->mv.user);
    dtfl_put_u32(h + 16, (uint32_t)f->mv.from);
    dtfl_put_u32(h + 20, (uint32_t)f->mv.to);
    dtfl_put_u64(h + 24, f->len);
    dtfl_put_u32(h + 32, (uint32_t)(f->n - 1));
    dtfl_put_u32(h + 36, dtfl_crc32(0, h, 36));
    *len = FRAME_HEAD;
    return h;
}

/* Chunk message c (1-based): header, then raw bytes or one LZ4 frame. */
static uint8_t *frame__chunk(net_framer *f, int c, size_t *len)
{
    const frame_chunk *k = &f->chunk[c - 1];
    frame_region *r = &f->reg[k->region];
    if (!r->decided) {
        r->codec = frame__codec(f->p, r->type, f->raw + r->off, r->len, f->memo);
        r->decided = 1;
    }
    uint8_t *msg = NULL;
    size_t wire = k->len;
    if (r->codec == CODEC_LZ4) {
        if ((wire = frame__lz4(f->raw + k->off, k->len, &msg)) == 0)
            return NULL;
    } else {
        if ((msg = malloc(CHUNK_HEAD + k->len)) == NULL)
            return NULL;
        memcpy(msg + CHUNK_HEAD, f->raw + k->off, k->len);
    }
    dtfl_put_u32(msg, (uint32_t)(c - 1));
    dtfl_put_u32(msg + 4, r->codec);
    dtfl_put_u64(msg + 8, k->off);
    dtfl_put_u32(msg + 16, (uint32_t)k->len);
    dtfl_put_u32(msg + 20, dtfl_crc32(0, msg, 20));
    *len = CHUNK_HEAD + wire;
    if (c == f->damage && f->p->fault == NET_FAULT_FLIP)
        msg[CHUNK_HEAD + wire / 2] ^= 0x10;
    if (c == f->damage && f->p->fault == NET_FAULT_TRUNCATE)
        *len -= 1;
    return msg;
}

int net_framer_next(net_framer *f, uint8_t **msg, size_t *len, dtfl_err *err)
{
    *msg = NULL;
    *len = 0;
    if (f->next >= f->n)
        return dtfl_err_set(err, DTFL_EINTERNAL, "twin %d: no more frames",
                            f->mv.user);
    int c = f->next++;
    *msg = c == 0 ? frame__header(f, len) : frame__chunk(f, c, len);
    if (*msg == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "twin %d: out of memory framing "
                                              "it",
                            f->mv.user);
    return 0;
}

int net_frames_make(const twin_dt *dt, const net_move *mv,
                    const net_migrate_params *p, net_codec_memo *memo,
                    net_frames *out, dtfl_err *err)
{
    memset(out, 0, sizeof *out);
    net_framer *f = NULL;
    int rc = net_framer_create(&f, dt, mv, p, memo, err);
    if (rc < 0)
        return rc;
    out->msg = calloc((size_t)f->n, sizeof *out->msg);
    out->len = calloc((size_t)f->n, sizeof *out->len);
    if (out->msg == NULL || out->len == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "twin %d: out of memory", mv->user);
    for (int k = 0; k < f->n && rc == 0; k++) {
        rc = net_framer_next(f, &out->msg[k], &out->len[k], err);
        out->n = k + 1;
        out->wire_bytes += (int64_t)out->len[k];
    }
    out->raw_bytes = (int64_t)f->len;
    net_framer_destroy(f);
    if (rc < 0)
        net_frames_free(out);
    return rc;
}

/* Decompresses one LZ4 frame of exactly `want` bytes into dst. */
static int frame__unlz4(const uint8_t *src, size_t len, uint8_t *dst,
                        size_t want, const char *what, dtfl_err *err)
{
    LZ4F_dctx *d = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
        return dtfl_err_set(err, DTFL_ENOMEM, "%s: no LZ4 context", what);
    int rc = 0;
    LZ4F_frameInfo_t info;
    size_t used = len;
    size_t r = LZ4F_getFrameInfo(d, &info, src, &used);
    if (LZ4F_isError(r)) {
        rc = dtfl_err_set(err, DTFL_ECORRUPT, "%s: bad LZ4 frame header: %s",
                          what, LZ4F_getErrorName(r));
        goto done;
    }
    if (info.contentChecksumFlag != LZ4F_contentChecksumEnabled ||
        info.contentSize != want) {
        rc = dtfl_err_set(err, DTFL_ECORRUPT,
                          "%s: LZ4 frame without content checksum or of "
                          "%llu bytes, %zu announced",
                          what, (unsigned long long)info.contentSize, want);
        goto done;
    }
    size_t in = used, made = 0;
    while (r != 0) {
        size_t src_left = len - in, dst_left = want - made;
        r = LZ4F_decompress(d, dst + made, &dst_left, src + in, &src_left, NULL);
        if (LZ4F_isError(r)) {
            const char *name = LZ4F_getErrorName(r);
            rc = dtfl_err_set(err, DTFL_ECORRUPT, "%s: %s (LZ4 %s)", what,
                              strstr(name, "hecksum") ? "checksum mismatch"
                                                      : "damaged LZ4 frame",
                              name);
            goto done;
        }
        in += src_left;
        made += dst_left;
        if (r != 0 && src_left == 0 && dst_left == 0) {
            rc = dtfl_err_set(err, DTFL_ECORRUPT,
                              "%s: LZ4 frame truncated after %zu of %zu bytes",
                              what, made, want);
            goto done;
        }
    }
    if (in != len || made != want)
        rc = dtfl_err_set(err, DTFL_ECORRUPT,
                          "%s: LZ4 frame gave %zu of %zu bytes with %zu bytes "
                          "left over",
                          what, made, want, len - in);
done:
    LZ4F_freeDecompressionContext(d);
    return rc;
}

/* Checks the header against the move; returns the raw length or 0. */
static uint64_t frame__check_header(const uint8_t *h, size_t len, int nchunks,
                              const net_move *mv, dtfl_err *err)
{
    char what[64];
    snprintf(what, sizeof what, "twin %d from server %d", mv->user, mv->from);
    if (len != FRAME_HEAD || memcmp(h, FRAME_MAGIC, 8) != 0) {
        dtfl_err_set(err, DTFL_ECORRUPT, "%s: not a migration header", what);
        return 0;
    }
    if (dtfl_crc32(0, h, 36) != dtfl_get_u32(h + 36)) {
        dtfl_err_set(err, DTFL_ECORRUPT, "%s: header checksum mismatch", what);
        return 0;
    }
    uint32_t v = dtfl_get_u32(h + 8);
    if (v != FRAME_VERSION) {
        dtfl_err_set(err, DTFL_EVERSION,
                     "%s: migration frame version %u, this dtfl speaks %u",
                     what, v, FRAME_VERSION);
        return 0;
    }
    if ((int)dtfl_get_u32(h + 12) != mv->user ||
        (int)dtfl_get_u32(h + 16) != mv->from ||
        (int)dtfl_get_u32(h + 20) != mv->to) {
        dtfl_err_set(err, DTFL_ECORRUPT,
                     "%s: header is for user %u from %u to %u", what,
                     dtfl_get_u32(h + 12), dtfl_get_u32(h + 16),
                     dtfl_get_u32(h + 20));
        return 0;
    }
    uint64_t raw = dtfl_get_u64(h + 24);
    if (raw == 0 || raw > FRAME_MAX_RAW || (int)dtfl_get_u32(h + 32) != nchunks ||
        (uint64_t)nchunks > raw) {
        dtfl_err_set(err, DTFL_ECORRUPT, "%s: %llu bytes in %u chunks (%d "
                                         "received)",
                     what, (unsigned long long)raw, dtfl_get_u32(h + 32),
                     nchunks);
        return 0;
    }
    return raw;
}

int net_frames_open(uint8_t *const *msg, const size_t *len, int n,
                    const net_move *mv, const net_migrate_params *p,
                    twin_dt **out, dtfl_err *err)
{
    *out = NULL;
    if (n < 1)
        return dtfl_err_set(err, DTFL_ECORRUPT, "twin %d: no frames", mv->user);
    uint64_t raw_len = frame__check_header(msg[0], len[0], n - 1, mv, err);
    if (raw_len == 0)
        return err ? err->code : DTFL_ECORRUPT;
    uint8_t *raw = malloc((size_t)raw_len);
    if (raw == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "twin %d: out of memory", mv->user);
    int rc = 0;
    uint64_t next = 0;
    char what[96];
    for (int i = 1; i < n && rc == 0; i++) {
        const uint8_t *c = msg[i];
        snprintf(what, sizeof what, "twin %d from server %d, chunk %d",
                 mv->user, mv->from, i - 1);
        if (len[i] < CHUNK_HEAD || dtfl_crc32(0, c, 20) != dtfl_get_u32(c + 20)) {
            rc = dtfl_err_set(err, DTFL_ECORRUPT, "%s: damaged chunk header",
                              what);
            break;
        }
        uint32_t idx = dtfl_get_u32(c), codec = dtfl_get_u32(c + 4);
        uint64_t off = dtfl_get_u64(c + 8), clen = dtfl_get_u32(c + 16);
        if (idx != (uint32_t)(i - 1) || off != next || clen == 0 ||
            clen > raw_len - off || codec > CODEC_LZ4) {
            rc = dtfl_err_set(err, DTFL_ECORRUPT,
                              "%s: index %u, codec %u, bytes %llu+%llu do not "
                              "follow %llu of %llu",
                              what, idx, codec, (unsigned long long)off,
                              (unsigned long long)clen, (unsigned long long)next,
                              (unsigned long long)raw_len);
            break;
        }
        const uint8_t *payload = c + CHUNK_HEAD;
        size_t plen = len[i] - CHUNK_HEAD;
        if (codec == CODEC_RAW) {
            if (plen != clen)
                rc = dtfl_err_set(err, DTFL_ECORRUPT,
                                  "%s: %s: %zu raw bytes, %llu announced",
                                  what, plen < clen ? "truncated" : "padded",
                                  plen, (unsigned long long)clen);
            else
                memcpy(raw + off, payload, plen);
        } else {
            rc = frame__unlz4(payload, plen, raw + off, (size_t)clen, what, err);
        }
        next = off + clen;
    }
    if (rc == 0 && next != raw_len)
        rc = dtfl_err_set(err, DTFL_ECORRUPT,
                          "twin %d: chunks cover %llu of %llu bytes", mv->user,
                          (unsigned long long)next, (unsigned long long)raw_len);
    if (rc == 0) {
        snprintf(what, sizeof what, "twin %d from server %d", mv->user, mv->from);
        rc = twin_dt_decode(raw, (size_t)raw_len, &p->expect, what, out, err);
    }
    if (rc == 0 && (int)(*out)->user != mv->user) {
        rc = dtfl_err_set(err, DTFL_ECORRUPT, "twin %d: decoded user %u",
                          mv->user, (*out)->user);
        twin_dt_destroy(*out);
        *out = NULL;
    }
    free(raw);
    return rc;
}
