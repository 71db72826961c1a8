/*
 * dtfl.h - the base layer every dtfl module stands on.
 *
 * What is here: the project's one error enum (generated from one list) with
 * an error record that carries a message; a counter-based random stream keyed
 * by (seed, stream, entity, slot) so that no draw ever depends on which MPI
 * rank makes it; a monotonic clock; files that are written to a temporary
 * name and renamed into place, so a killed run never leaves a half file that
 * looks whole.
 *
 * What is not here: anything about learning, twins, scheduling or MPI.
 *
 * Conventions: functions return 0 on success or a negative DTFL_E* code, and
 * when they fail they fill the caller's dtfl_err with a message that says
 * what went wrong and where (file, line, index).
 */
#ifndef DTFL_BASE_H
#define DTFL_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* X(name, value, description). Values are negative; 0 is success. */
#define DTFL_ERROR_LIST(X)                                                   \
    X(OK, 0, "success")                                                      \
    X(NOMEM, -1, "out of memory")                                            \
    X(IO, -2, "input/output error")                                          \
    X(NOINPUT, -3, "missing input")                                          \
    X(DATA, -4, "bad data")                                                  \
    X(CONFIG, -5, "bad configuration")                                       \
    X(USAGE, -6, "command-line misuse")                                      \
    X(RANGE, -7, "value out of range")                                       \
    X(CORRUPT, -8, "checksum mismatch or corrupt bytes")                     \
    X(VERSION, -9, "unsupported format version")                             \
    X(MPI, -10, "MPI failure")                                               \
    X(INTERNAL, -11, "internal invariant broken")                            \
    X(CANTCREATE, -12, "cannot create output")                               \
    X(INFEASIBLE, -13, "problem has no feasible point")                      \
    X(PROTOCOL, -14, "a peer's messages kept failing their checks")

enum dtfl_error {
#define DTFL__ENUM(name, value, text) DTFL_E##name = (value),
    DTFL_ERROR_LIST(DTFL__ENUM)
#undef DTFL__ENUM
};

#define DTFL_ERR_MSG_MAX 1024

/* An error record: the code and a message naming what and where. */
typedef struct dtfl_err {
    int code;                    /* 0 or a negative DTFL_E* value */
    char msg[DTFL_ERR_MSG_MAX];  /* human-readable, no trailing newline */
} dtfl_err;

/* Fills err (which may be NULL) and returns code, so callers can write
 * `return dtfl_err_set(err, DTFL_EDATA, "%s: truncated", path);`. */
int dtfl_err_set(dtfl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context ("loading twin 3: ..."). */
int dtfl_err_prefix(dtfl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears an error record. */
void dtfl_err_clear(dtfl_err *err);

/* The short name of a code ("DTFL_EDATA"), or "DTFL_E?" when unknown. */
const char *dtfl_err_name(int code);

/* The description of a code ("bad data"). */
const char *dtfl_err_text(int code);

/* The <sysexits.h> exit status a command should end with for this code. */
int dtfl_err_exit_status(int code);

/* ------------------------------------------------------------------------ */
/* Random streams (Philox4x32-10 from Random123)                            */
/* ------------------------------------------------------------------------ */

/* Stream identifiers: one per purpose, so that two purposes never share draws
 * even with the same entity and slot. Append only; never renumber. */
enum dtfl_stream {
    DTFL_STREAM_INIT = 1,      /* model initialisation */
    DTFL_STREAM_MIX = 2,       /* per-user label mix (dominant label) */
    DTFL_STREAM_DRAW = 3,      /* per-user per-slot training sample draws */
    DTFL_STREAM_TEST = 4,      /* per-user test split */
    DTFL_STREAM_SHUFFLE = 5,   /* mini-batch order */
    DTFL_STREAM_WORLD = 6,     /* server placement and capacities */
    DTFL_STREAM_MOBILITY = 7,  /* user movement */
    DTFL_STREAM_ARRIVAL = 8,   /* per-slot sample counts */
    DTFL_STREAM_POLICY = 9,    /* scheduler randomness */
    DTFL_STREAM_TWIN = 10,     /* base twin blobs */
    DTFL_STREAM_HISTORY = 11,  /* which previous-slot samples are reused */
    DTFL_STREAM_FAULT = 12,    /* simulated faults */
    DTFL_STREAM_CHANNEL = 13,  /* fading per user, server and slot */
    DTFL_STREAM_WORKLOAD = 14, /* per-user data and task sizes */
    DTFL_STREAM_LOAD = 15,     /* background CPU loads (AR(1) noise) */
    DTFL_STREAM_ESTIMATE = 16  /* a digital twin's estimation error */
};

/* A random stream. Plain data: copy it to fork a stream, store it in a
 * checkpoint to resume one. The counter is (stream, entity, slot, block). */
typedef struct dtfl_rng {
    uint32_t key[2];   /* the run's seed */
    uint32_t ctr[4];   /* stream, entity, slot, block index */
    uint32_t buf[4];   /* the current block of output */
    int used;          /* words of buf already handed out, 0..4 */
} dtfl_rng;

/* Starts the stream keyed by (seed, stream, entity, slot) at its beginning. */
void dtfl_rng_init(dtfl_rng *r, uint64_t seed, uint32_t stream,
                   uint32_t entity, uint32_t slot);

uint32_t dtfl_rng_u32(dtfl_rng *r);
/* Uniform on [0, 1) with 53 random bits. */
double dtfl_rng_uniform(dtfl_rng *r);
/* Uniform on [lo, hi). */
double dtfl_rng_range(dtfl_rng *r, double lo, double hi);
/* Uniform integer on [0, n), without modulo bias. n > 0. */
uint32_t dtfl_rng_below(dtfl_rng *r, uint32_t n);
/* Standard normal by Box-Muller; one value per call (two uniforms), so the
 * stream position is easy to reason about. */
double dtfl_rng_normal(dtfl_rng *r);

/* ------------------------------------------------------------------------ */
/* Clock                                                                     */
/* ------------------------------------------------------------------------ */

/* Seconds on a monotonic clock. */
double dtfl_now(void);

/* Median of n timing samples (sorts v in place; n >= 1). */
double dtfl_median(double *v, int n);
/* Resident set size of this process in bytes (VmRSS of /proc/self/status),
 * or -1 where there is none. */
int64_t dtfl_rss_bytes(void);

/* ------------------------------------------------------------------------ */
/* Files written atomically                                                 */
/* ------------------------------------------------------------------------ */

/* An output file under construction: bytes go to "<path>.tmp.<pid>", and
 * dtfl_afile_commit() flushes, fsyncs, renames it to <path> and fsyncs the
 * directory. dtfl_afile_abort() removes the temporary file. */
typedef struct dtfl_afile dtfl_afile;

int dtfl_afile_open(dtfl_afile **out, const char *path, dtfl_err *err);
FILE *dtfl_afile_stream(dtfl_afile *f);
/* Commits and frees f, whatever the outcome. */
int dtfl_afile_commit(dtfl_afile *f, dtfl_err *err);
/* Discards and frees f; accepts NULL. */
void dtfl_afile_abort(dtfl_afile *f);

/* Writes len bytes to path atomically. */
int dtfl_file_write_atomic(const char *path, const void *data, size_t len,
                           dtfl_err *err);

/* Reads a whole file (at most max_bytes) into a malloc'd buffer. A file
 * larger than max_bytes is an error, not a truncation. */
int dtfl_file_read_all(const char *path, size_t max_bytes, uint8_t **out,
                       size_t *len, dtfl_err *err);

/* mkdir -p. */
int dtfl_mkdirs(const char *path, dtfl_err *err);

/* Joins dir and name into out (size cap); fails if it does not fit. */
int dtfl_path_join(char *out, size_t cap, const char *dir, const char *name,
                   dtfl_err *err);

/* CRC-32 (zlib's polynomial) of a buffer, continuing from crc. */
uint32_t dtfl_crc32(uint32_t crc, const void *data, size_t len);

/* Little-endian stores and loads, independent of the host. */
void dtfl_put_u32(uint8_t *p, uint32_t v);
void dtfl_put_u64(uint8_t *p, uint64_t v);
uint32_t dtfl_get_u32(const uint8_t *p);
uint64_t dtfl_get_u64(const uint8_t *p);
/* IEEE floats bit for bit, little-endian. */
void dtfl_put_f32(uint8_t *p, float v);
void dtfl_put_f64(uint8_t *p, double v);
float dtfl_get_f32(const uint8_t *p);
double dtfl_get_f64(const uint8_t *p);

#endif /* DTFL_BASE_H */
