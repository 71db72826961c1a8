/*
 * file.c - files that appear whole or not at all, bounded whole-file reads,
 * directory creation, CRC-32 and little-endian helpers.
 *
 * Invariant: a path written through dtfl_afile either keeps its old contents
 * or holds the complete new contents; the bytes are fsync'd before the rename
 * and the directory is fsync'd after it.
 */
#include "dtfl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct dtfl_afile {
    FILE *fp;
    char path[4096];
    char tmp[4200];
};

int dtfl_afile_open(dtfl_afile **out, const char *path, dtfl_err *err)
{
    *out = NULL;
    dtfl_afile *f = calloc(1, sizeof *f);
    if (f == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
    if (strlen(path) >= sizeof f->path) {
        free(f);
        return dtfl_err_set(err, DTFL_ECANTCREATE, "%s: path too long", path);
    }
    strcpy(f->path, path);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp.%ld", path, (long)getpid());
    f->fp = fopen(f->tmp, "wb");
    if (f->fp == NULL) {
        int e = errno;
        free(f);
        return dtfl_err_set(err, DTFL_ECANTCREATE, "%s: cannot create: %s",
                            path, strerror(e));
    }
    *out = f;
    return 0;
}

FILE *dtfl_afile_stream(dtfl_afile *f) { return f->fp; }

static int file__fsync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir)
            return -1;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int dtfl_afile_commit(dtfl_afile *f, dtfl_err *err)
{
    int rc = 0;
    const char *what = NULL;
    if (fflush(f->fp) != 0)
        what = "write";
    else if (ferror(f->fp))
        what = "write";
    else if (fsync(fileno(f->fp)) != 0)
        what = "fsync";
    int e = errno;
    if (fclose(f->fp) != 0 && what == NULL) {
        what = "close";
        e = errno;
    }
    f->fp = NULL;
    if (what == NULL && rename(f->tmp, f->path) != 0) {
        what = "rename";
        e = errno;
    }
    if (what != NULL) {
        rc = dtfl_err_set(err, DTFL_EIO, "%s: %s failed: %s", f->path, what,
                          strerror(e));
        unlink(f->tmp);
    } else if (file__fsync_dir(f->path) != 0) {
        rc = dtfl_err_set(err, DTFL_EIO, "%s: fsync of directory failed: %s",
                          f->path, strerror(errno));
    }
    free(f);
    return rc;
}

void dtfl_afile_abort(dtfl_afile *f)
{
    if (f == NULL)
        return;
    if (f->fp != NULL)
        fclose(f->fp);
    unlink(f->tmp);
    free(f);
}

int dtfl_file_write_atomic(const char *path, const void *data, size_t len,
                           dtfl_err *err)
{
    dtfl_afile *f = NULL;
    int rc = dtfl_afile_open(&f, path, err);
    if (rc < 0)
        return rc;
    if (len > 0 && fwrite(data, 1, len, dtfl_afile_stream(f)) != len) {
        int e = errno;
        dtfl_afile_abort(f);
        return dtfl_err_set(err, DTFL_EIO, "%s: write failed: %s", path,
                            strerror(e));
    }
    return dtfl_afile_commit(f, err);
}

int dtfl_file_read_all(const char *path, size_t max_bytes, uint8_t **out,
                       size_t *len, dtfl_err *err)
{
    *out = NULL;
    *len = 0;
    int rc = 0;
    uint8_t *buf = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return dtfl_err_set(err, errno == ENOENT ? DTFL_ENOINPUT : DTFL_EIO,
                            "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                rc = dtfl_err_set(err, DTFL_EDATA,
                                  "%s: larger than the limit of %zu bytes",
                                  path, max_bytes);
                goto done;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > max_bytes + 1)
                ncap = max_bytes + 1;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        rc = dtfl_err_set(err, DTFL_EIO, "%s: read failed", path);
        goto done;
    }
    if (n > max_bytes) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: larger than the limit of %zu bytes", path,
                          max_bytes);
        goto done;
    }
    *out = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    fclose(fp);
    return rc;
}

int dtfl_mkdirs(const char *path, dtfl_err *err)
{
    char tmp[4096];
    if (strlen(path) >= sizeof tmp)
        return dtfl_err_set(err, DTFL_ECANTCREATE, "%s: path too long", path);
    strcpy(tmp, path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return dtfl_err_set(err, DTFL_ECANTCREATE, "%s: cannot create: %s",
                                tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return dtfl_err_set(err, DTFL_ECANTCREATE, "%s: cannot create: %s",
                            tmp, strerror(errno));
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
        return dtfl_err_set(err, DTFL_ECANTCREATE, "%s: not a directory", tmp);
    return 0;
}

int dtfl_path_join(char *out, size_t cap, const char *dir, const char *name,
                   dtfl_err *err)
{
    int n;
    if (name[0] == '/' || dir == NULL || dir[0] == '\0')
        n = snprintf(out, cap, "%s", name);
    else
        n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap)
        return dtfl_err_set(err, DTFL_ERANGE, "%s/%s: path too long", dir,
                            name);
    return 0;
}

uint32_t dtfl_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = (uint32_t)crc32(crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return crc;
}

void dtfl_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void dtfl_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t dtfl_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t dtfl_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void dtfl_put_f32(uint8_t *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    dtfl_put_u32(p, u);
}

void dtfl_put_f64(uint8_t *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    dtfl_put_u64(p, u);
}

float dtfl_get_f32(const uint8_t *p)
{
    uint32_t u = dtfl_get_u32(p);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

double dtfl_get_f64(const uint8_t *p)
{
    uint64_t u = dtfl_get_u64(p);
    double v;
    memcpy(&v, &u, 8);
    return v;
}
