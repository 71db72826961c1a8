/*
 * idx.c - the IDX file format of MNIST and Fashion-MNIST, plain or gzipped.
 *
 * Layout (big-endian): two zero bytes, a type byte (0x08 = unsigned byte,
 * the only type dtfl reads), a dimension count, one u32 per dimension, then
 * exactly prod(dims) data bytes. The parser checks every field before it
 * touches the data and reports the file, the field and the numbers involved;
 * it never reads outside the buffer it was given.
 */
#include "fl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t idx__be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static const char *idx__type_name(uint8_t t)
{
    switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown";
    }
}

int fl_idx_parse(const uint8_t *buf, size_t len, const char *name,
                 fl_idx *out, dtfl_err *err)
{
    memset(out, 0, sizeof *out);
    if (len < 4)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: truncated: %zu bytes, an IDX header needs at "
                            "least 4",
                            name, len);
    if (buf[0] != 0 || buf[1] != 0)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: not an IDX file: magic starts 0x%02x%02x, "
                            "expected 0x0000",
                            name, buf[0], buf[1]);
    if (buf[2] != 0x08)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: IDX data type 0x%02x (%s) is not supported; "
                            "dtfl reads unsigned-byte (0x08) files",
                            name, buf[2], idx__type_name(buf[2]));
    int nd = buf[3];
    if (nd < 1 || nd > 3)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: IDX file has %d dimensions, expected 1 to 3",
                            name, nd);
    size_t head = 4 + 4 * (size_t)nd;
    if (len < head)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: truncated header: %zu bytes, %zu needed for "
                            "%d dimensions",
                            name, len, head, nd);
    size_t count = 1;
    for (int i = 0; i < nd; i++) {
        uint32_t d = idx__be32(buf + 4 + 4 * i);
        if (d == 0)
            return dtfl_err_set(err, DTFL_EDATA, "%s: dimension %d is zero",
                                name, i);
        if (count > SIZE_MAX / d)
            return dtfl_err_set(err, DTFL_EDATA,
                                "%s: dimensions overflow the address space",
                                name);
        count *= d;
        out->dims[i] = d;
    }
    if (len - head < count)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: truncated: header promises %zu data bytes, "
                            "file has %zu",
                            name, count, len - head);
    if (len - head > count)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s: %zu trailing bytes after the %zu data bytes "
                            "the header promises",
                            name, len - head - count, count);
    out->ndims = nd;
    out->count = count;
    out->data = buf + head;
    return 0;
}

int fl_idx_read_file(const char *path, size_t max_bytes, uint8_t **buf,
                     size_t *len, dtfl_err *err)
{
    *buf = NULL;
    *len = 0;
    int rc = 0;
    uint8_t *data = NULL;
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL)
        return dtfl_err_set(err, errno == ENOENT ? DTFL_ENOINPUT : DTFL_EIO,
                            "%s: cannot open: %s", path,
                            errno ? strerror(errno) : "zlib could not open it");
    gzbuffer(gz, 1 << 17);
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                rc = dtfl_err_set(err, DTFL_EDATA,
                                  "%s: more than %zu bytes once decompressed",
                                  path, max_bytes);
                goto done;
            }
            size_t ncap = cap ? cap * 2 : (1 << 20);
            if (ncap > max_bytes + 1)
                ncap = max_bytes + 1;
            uint8_t *nd = realloc(data, ncap);
            if (nd == NULL) {
                rc = dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
                goto done;
            }
            data = nd;
            cap = ncap;
        }
        size_t want = cap - n;
        if (want > (1u << 30))
            want = 1u << 30;
        int got = gzread(gz, data + n, (unsigned)want);
        if (got < 0) {
            int zerr = 0;
            const char *msg = gzerror(gz, &zerr);
            rc = dtfl_err_set(err, DTFL_EDATA, "%s: corrupt gzip data: %s",
                              path, msg);
            goto done;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max_bytes) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: more than %zu bytes once decompressed", path,
                          max_bytes);
        goto done;
    }
    {
        int zerr = 0;
        const char *msg = gzerror(gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END) {
            rc = dtfl_err_set(err, DTFL_EDATA, "%s: corrupt gzip data: %s",
                              path, msg);
            goto done;
        }
    }
    *buf = data;
    *len = n;
    data = NULL;
done:
    free(data);
    {
        int zrc = gzclose_r(gz);
        if (rc == 0 && zrc != Z_OK) {
            free(*buf);
            *buf = NULL;
            *len = 0;
            rc = dtfl_err_set(err, DTFL_EDATA,
                              "%s: truncated or corrupt gzip stream (zlib "
                              "code %d)",
                              path, zrc);
        }
    }
    return rc;
}
