/*
 * net.h - everything that crosses between ranks: the communicator (MPI, or
 * a group of threads in one process for tests), migration of twins as
 * checked LZ4 frames, FedAvg reduction in server-id order, and the mapping
 * of logical edge servers onto ranks.
 *
 * Only net/mpi.c includes <mpi.h>. Everything else takes a net_comm *, so
 * the same protocol code runs over MPI and over the in-process backend.
 *
 * What is not here: learning, scheduling, the world.
 */
#ifndef DTFL_NET_H
#define DTFL_NET_H

#include <stddef.h>
#include <stdint.h>

#include "../base/dtfl.h"
#include "../twin/twin.h"

/* ------------------------------------------------------------------------ */
/* Communicators                                                            */
/* ------------------------------------------------------------------------ */

typedef struct net_comm net_comm;
typedef struct net_req net_req;

/* MPI: initialises MPI (once per process), duplicates MPI_COMM_WORLD with
 * MPI_ERRORS_RETURN so failures come back as DTFL_EMPI with MPI's text. */
int net_mpi_create(int *argc, char ***argv, net_comm **out, dtfl_err *err);
/* A group of `size` communicators that talk through shared mailboxes; give
 * each to its own thread. Destroy them all with net_local_destroy. */
int net_local_create(int size, net_comm **comms, dtfl_err *err);
void net_local_destroy(net_comm **comms, int size);
/* Finalises MPI for the MPI backend; accepts NULL. */
void net_comm_destroy(net_comm *c);

int net_rank(const net_comm *c);
int net_size(const net_comm *c);
/* The largest tag this communicator accepts. */
int net_tag_max(const net_comm *c);

/* Point to point. Sends never block (a request is returned to wait on; the
 * buffer must live until then); receives block and allocate the message
 * (caller frees with free()). Messages from one source with one tag arrive
 * in the order they were sent. */
int net_isend(net_comm *c, int dest, int tag, const void *buf, size_t len,
              net_req **req, dtfl_err *err);
int net_wait(net_comm *c, net_req *req, dtfl_err *err);
int net_recv(net_comm *c, int src, int tag, uint8_t **buf, size_t *len,
             dtfl_err *err);

/* Collectives: every rank calls them in the same order. */
int net_barrier(net_comm *c, dtfl_err *err);
int net_bcast(net_comm *c, void *buf, size_t len, int root, dtfl_err *err);
/* Exact integer sums, so results do not depend on the reduction order. */
int net_allreduce_i64(net_comm *c, int64_t *v, int n, dtfl_err *err);
/* Max of doubles (for timings: the slowest rank). */
int net_allreduce_max(net_comm *c, double *v, int n, dtfl_err *err);
/* A table of independent jobs, row i computed by rank i % P: every rank
 * passes the whole (rows, width) table with its own rows filled, and after
 * the call every rank holds every row exactly as its owner computed it (so
 * the table is the same for any rank count). Values must not be NaN. */
int net_collect_rows(net_comm *c, double *table, int rows, int width,
                     dtfl_err *err);
/* Ends every rank of the job (MPI_Abort); for the local backend, a no-op. */
void net_abort(net_comm *c, int status);

/* Bytes per second of a ping-pong of `bytes` between ranks 0 and 1 (best of
 * reps); every rank calls it and receives the result. 0 with one rank. */
int net_pingpong(net_comm *c, size_t bytes, int reps, double *bytes_per_s,
                 dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Edge servers on ranks                                                    */
/* ------------------------------------------------------------------------ */

/* Server s lives on rank s % P: servers of neighbouring ids on different
 * ranks, so migrations between them cross ranks. */
int net_server_rank(int server, int ranks);

/* ------------------------------------------------------------------------ */
/* FedAvg (eq. 4 of 003) in server-id order                                 */
/* ------------------------------------------------------------------------ */

/* Every rank passes the servers it owns: weight[s] = D_s and vec[s] = w_s
 * (NULL for servers it does not own, or whose D_s is 0). Rank 0 sums
 * D_s w_s in double in server-id order and every rank receives
 * w = sum / sum D_s in out. When no server has data, out is left as it
 * was and *total is 0. The result is the same bits for any rank count. */
int net_fedavg(net_comm *c, int servers, const double *weight,
               float *const *vec, size_t n, float *out, double *total,
               dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Migration of twins                                                       */
/* ------------------------------------------------------------------------ */

typedef enum net_compression {
    NET_COMPRESS_NONE = 0, /* raw bytes */
    NET_COMPRESS_LZ4 = 1,  /* every section as LZ4 frames */
    NET_COMPRESS_AUTO = 2  /* per section: LZ4 when a probe says it pays */
} net_compression;

/* Faults a test can inject into one twin's frames in flight. */
typedef enum net_fault {
    NET_FAULT_NONE = 0,
    NET_FAULT_FLIP = 1,     /* one payload byte flipped */
    NET_FAULT_TRUNCATE = 2, /* the last chunk one byte short */
    NET_FAULT_VERSION = 3   /* a header of another protocol version */
} net_fault;

typedef struct net_migrate_params {
    net_compression compression;
    double link_bytes_per_s;   /* emulated backhaul per server pair; 0: none */
    double wire_bytes_per_s;   /* what `auto` assumes the wire moves (the
                                  measured ping-pong rate, or the link rate) */
    size_t chunk_bytes;        /* frames are at most this many raw bytes */
    twin_dt_expect expect;     /* what arriving twins must be */
    net_fault fault;           /* test hook: damage one twin's frames */
    int fault_user;            /* the user whose twin is damaged */
} net_migrate_params;

/* One twin to move: user u from server `from` to server `to`. */
typedef struct net_move {
    int user, from, to;
} net_move;

typedef struct net_migrate_stats {
    int64_t moves;        /* twins whose server changed */
    int64_t cross_rank;   /* of them, moved between ranks */
    int64_t failed;       /* rejected on arrival, kept at the source */
    int64_t bytes_raw;    /* encoded twin bytes of cross-rank moves */
    int64_t bytes_wire;   /* bytes sent, frame headers included */
} net_migrate_stats;

/* Moves twins. Every rank passes the same list (sorted by user) and its
 * twins indexed by user (NULL where it holds none). A move within a rank
 * moves no bytes; a move across ranks is encoded, framed, compressed, sent,
 * checked on arrival and acknowledged, and the source frees its copy only
 * after a positive acknowledgement. A rejected twin stays at its source:
 * failed[i] is set on every rank, and the first message goes to err (with
 * return 0: a rejection is an outcome, not a failure of the call). Stats
 * are summed over ranks. */
int net_migrate(net_comm *c, const net_migrate_params *p, int servers,
                const net_move *moves, int nmoves, twin_dt **twins,
                int *failed, net_migrate_stats *stats, char *first_error,
                size_t error_cap, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Bytes between servers (transfer.c)                                       */
/* ------------------------------------------------------------------------ */

/* A scenario's bytes from one server to another (a status update, task
 * data, a model download); either end may be the cloud, on rank 0. */
#define NET_CLOUD (-1)
#define NET_XFER_HEAD 48
typedef struct net_transfer {
    int from, to;         /* servers, or NET_CLOUD */
    int64_t bytes;
    int32_t head_len;     /* the payload's first bytes, given (a status
                             record; at most bytes); the rest is filler */
    uint8_t head[NET_XFER_HEAD];
    double bytes_per_s;   /* its own pace across ranks (0: the link's) */
} net_transfer;

/* On the receiving rank, each transfer as it arrives (within a rank: in
 * its turn, nothing moved), in list order: the whole payload, its length
 * and XXH3-64, all checked. A negative return stops the run with it. */
typedef int (*net_transfer_arrived)(void *ctx, int i, const net_transfer *t,
                                    const uint8_t *payload, size_t len,
                                    uint64_t digest, dtfl_err *err);

/* On the sending rank (within a rank: before `arrived`), the payload of
 * transfer i: n = t->bytes bytes to write at p. A negative return stops
 * the run with it. */
typedef int (*net_transfer_fill)(void *ctx, int i, const net_transfer *t,
                                 uint8_t *p, size_t n, dtfl_err *err);

/* What the caller does at either end (any member NULL: none). Without
 * fill a payload is the transfer's head, then filler made of its index
 * (net_transfer_filler). */
typedef struct net_transfer_io {
    net_transfer_fill fill;
    net_transfer_arrived arrived;
    void *ctx;
} net_transfer_io;

/* The default payload of transfer i (n bytes). */
void net_transfer_filler(uint8_t *p, size_t n, int i, const net_transfer *t);

typedef struct net_transfer_stats {
    int64_t transfers, bytes;     /* all of the list */
    int64_t cross_rank;           /* of them, between ranks */
    int64_t bytes_wire;           /* payload bytes sent between ranks */
} net_transfer_stats;

/* Carries out the transfers; every rank passes the same list. Within a rank
 * nothing moves; across ranks the payload is sent in chunks of
 * p->chunk_bytes, paced at the transfer's own rate or p->link_bytes_per_s
 * per server pair when set, and checked on arrival (length, XXH3): a
 * mismatch is DTFL_EPROTOCOL naming the transfer. io (NULL: none) builds
 * each payload on its sending rank and sees it on its receiving rank.
 * Stats are the same on every rank. */
int net_transfer_run(net_comm *c, const net_migrate_params *p, int servers,
                     const net_transfer *list, int n, const net_transfer_io *io,
                     net_transfer_stats *stats, dtfl_err *err);

/* ---- frames of one twin (frame.c), exposed for tests and fuzzing ---- */

/* The wire form of one twin: a header message and chunk messages. */
typedef struct net_frames {
    int n;              /* messages, the header first */
    uint8_t **msg;      /* (n,) each malloc'd */
    size_t *len;        /* (n,) */
    int64_t raw_bytes;  /* encoded twin */
    int64_t wire_bytes; /* sum of len */
} net_frames;

/* What `auto` decided for each section type, kept across the twins of one
 * migration: sections of one type compress alike (weights do not, images
 * do), so each type is probed once. Zero it to start afresh. */
typedef struct net_codec_memo {
    uint8_t codec[TWIN_MAX_SECTIONS]; /* 0 not probed yet, 1 raw, 2 LZ4 */
} net_codec_memo;

/* A twin being framed one message at a time, so that a sender can compress
 * the next chunk while the previous one is on the wire. The chunk count is
 * fixed by the twin's sizes before anything is compressed. memo (may be
 * NULL) carries `auto` decisions from twin to twin; p and memo must outlive
 * the framer. */
typedef struct net_framer net_framer;

int net_framer_create(net_framer **out, const twin_dt *dt, const net_move *mv,
                      const net_migrate_params *p, net_codec_memo *memo,
                      dtfl_err *err);
void net_framer_destroy(net_framer *f);
/* Messages in all, the header included. */
int net_framer_count(const net_framer *f);
int64_t net_framer_raw_bytes(const net_framer *f);
/* The next message (the header first); the caller frees it. */
int net_framer_next(net_framer *f, uint8_t **msg, size_t *len, dtfl_err *err);

/* All the messages of a twin at once (tests, fuzzing). */
int net_frames_make(const twin_dt *dt, const net_move *mv,
                    const net_migrate_params *p, net_codec_memo *memo,
                    net_frames *out, dtfl_err *err);
void net_frames_free(net_frames *f);
/* Checks and decodes the frames of an arriving twin for move mv. Never reads
 * outside the messages; any damage is an error that says what. */
int net_frames_open(uint8_t *const *msg, const size_t *len, int n,
                    const net_move *mv, const net_migrate_params *p,
                    twin_dt **out, dtfl_err *err);

#endif /* DTFL_NET_H */
