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
 * wire moves. The receiver checks every header, decompresses with LZ4's
 * checked frame API into exactly the announced space, and hands the
 * assembled bytes to the twin decoder, which checks the twin's own CRC.
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
#define PROBE_BYTES 65536u
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

/* Does compressing this section pay at the rate the wire moves? The probe
 * measures the ratio r and speed c of LZ4 on the section's first 64 KiB;
 * compressing pays when len/c + r len/wire + r len/(4c) < len/wire
 * (decompression taken at four times the compression speed). */
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
    return 1.0 / c + r / wire + r / (4.0 * c) < 1.0 / wire;
}

/* Appends one chunk message; codec chosen by the caller. */
static int frame__chunk(net_frames *f, int cap, const uint8_t *raw,
                        size_t off, size_t len, uint32_t codec)
{
    if (f->n == cap)
        return DTFL_EINTERNAL;
    uint8_t *msg = NULL;
    size_t wire = len;
    if (codec == CODEC_LZ4) {
        wire = frame__lz4(raw + off, len, &msg);
        if (wire == 0)
            return DTFL_ENOMEM;
    } else {
        msg = malloc(CHUNK_HEAD + len);
        if (msg == NULL)
            return DTFL_ENOMEM;
        memcpy(msg + CHUNK_HEAD, raw + off, len);
    }
    dtfl_put_u32(msg, (uint32_t)(f->n - 1));
    dtfl_put_u32(msg + 4, codec);
    dtfl_put_u64(msg + 8, off);
    dtfl_put_u32(msg + 16, (uint32_t)len);
    dtfl_put_u32(msg + 20, dtfl_crc32(0, msg, 20));
    f->msg[f->n] = msg;
    f->len[f->n] = CHUNK_HEAD + wire;
    f->wire_bytes += (int64_t)(CHUNK_HEAD + wire);
    f->n++;
    return 0;
}

/* Splits [off, off + len) into chunks of at most chunk_bytes. */
static int frame__region(net_frames *f, int cap, const uint8_t *raw,
                         size_t off, size_t len, uint32_t codec, size_t chunk)
{
    for (size_t done = 0; done < len; done += chunk) {
        size_t n = len - done < chunk ? len - done : chunk;
        int rc = frame__chunk(f, cap, raw, off + done, n, codec);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static uint32_t frame__codec(const net_migrate_params *p, const uint8_t *src,
                             size_t len)
{
    if (p->compression == NET_COMPRESS_NONE || len < 64)
        return CODEC_RAW;
    if (p->compression == NET_COMPRESS_LZ4)
        return CODEC_LZ4;
    if (len < TINY_SECTION)
        return CODEC_RAW;
    return frame__pays(src, len, p->wire_bytes_per_s) ? CODEC_LZ4 : CODEC_RAW;
}

static void frame__fault(net_frames *f, const net_migrate_params *p)
{
    if (p->fault == NET_FAULT_VERSION) {
        dtfl_put_u32(f->msg[0] + 8, FRAME_VERSION + 1);
        dtfl_put_u32(f->msg[0] + 36, dtfl_crc32(0, f->msg[0], 36));
    } else if (p->fault == NET_FAULT_FLIP) {
        int big = 1; /* the largest chunk, flipped in its payload */
        for (int i = 2; i < f->n; i++)
            if (f->len[i] > f->len[big])
                big = i;
        f->msg[big][CHUNK_HEAD + (f->len[big] - CHUNK_HEAD) / 2] ^= 0x10;
    } else if (p->fault == NET_FAULT_TRUNCATE) {
        f->len[f->n - 1] -= 1;
        f->wire_bytes -= 1;
    }
}

int net_frames_make(const twin_dt *dt, const net_move *mv,
                    const net_migrate_params *p, net_frames *out,
                    dtfl_err *err)
{
    memset(out, 0, sizeof *out);
    size_t len = twin_dt_encode_bound(dt), chunk = p->chunk_bytes;
    uint8_t *raw = malloc(len);
    if (raw == NULL || chunk == 0)
        goto nomem;
    int rc = twin_dt_encode(dt, raw, len, &len, err);
    if (rc < 0) {
        free(raw);
        return rc;
    }
    twin_section sec[TWIN_MAX_SECTIONS];
    int nsec = 0;
    if ((rc = twin_dt_sections(raw, len, sec, &nsec, err)) < 0) {
        free(raw);
        return rc;
    }
    /* room: the header, the head and tail regions, every section's chunks */
    int cap = 3;
    for (int i = 0; i < nsec; i++)
        cap += (int)((sec[i].length + chunk - 1) / chunk);
    out->msg = calloc((size_t)cap, sizeof *out->msg);
    out->len = calloc((size_t)cap, sizeof *out->len);
    if (out->msg == NULL || out->len == NULL)
        goto nomem;
    out->n = 1; /* the header is written last, when the count is known */
    rc = frame__region(out, cap, raw, 0, sec[0].offset, CODEC_RAW, chunk);
    for (int i = 0; i < nsec && rc == 0; i++)
        rc = frame__region(out, cap, raw, sec[i].offset, sec[i].length,
                           frame__codec(p, raw + sec[i].offset, sec[i].length),
                           chunk);
    if (rc == 0)
        rc = frame__region(out, cap, raw, len - 4, 4, CODEC_RAW, chunk);
    if (rc < 0)
        goto nomem;
    uint8_t *h = out->msg[0] = malloc(FRAME_HEAD);
    if (h == NULL)
        goto nomem;
    memcpy(h, FRAME_MAGIC, 8);
    dtfl_put_u32(h + 8, FRAME_VERSION);
    dtfl_put_u32(h + 12, (uint32_t)mv->user);
    dtfl_put_u32(h + 16, (uint32_t)mv->from);
    dtfl_put_u32(h + 20, (uint32_t)mv->to);
    dtfl_put_u64(h + 24, len);
    dtfl_put_u32(h + 32, (uint32_t)(out->n - 1));
    dtfl_put_u32(h + 36, dtfl_crc32(0, h, 36));
    out->len[0] = FRAME_HEAD;
    out->wire_bytes += FRAME_HEAD;
    out->raw_bytes = (int64_t)len;
    if (p->fault != NET_FAULT_NONE && (int)dt->user == p->fault_user)
        frame__fault(out, p);
    free(raw);
    return 0;
nomem:
    free(raw);
    net_frames_free(out);
    return dtfl_err_set(err, DTFL_ENOMEM, "twin %u: out of memory framing it",
                        dt->user);
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
static uint64_t frame__header(const uint8_t *h, size_t len, int nchunks,
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
    uint64_t raw_len = frame__header(msg[0], len[0], n - 1, mv, err);
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
