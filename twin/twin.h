/*
 * twin.h - the world of a DT edge network and the user digital twins in it.
 *
 * What is here: edge servers placed in a rectangle (uniform, grid, or from a
 * CSV) with their capacities; users that move (random waypoint, Gauss-Markov
 * after eqs. 1-4 of 002_ca0ca53b36ca2425.txt, or a trajectory CSV) and
 * receive new samples each slot; distances; and the per-user digital twin
 * (personalised weights, base twin blob, current and previous samples) with
 * its checked little-endian byte format (docs/formats.md).
 *
 * What is not here: MPI, learning, scheduling. The world is cheap and
 * deterministic: every random draw is keyed by (seed, entity, slot), so each
 * rank steps its own copy and all copies agree.
 *
 * Units: metres, seconds, bits for twin sizes, samples for data counts.
 */
#ifndef DTFL_TWIN_H
#define DTFL_TWIN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/dtfl.h"

/* ------------------------------------------------------------------------ */
/* The world                                                                 */
/* ------------------------------------------------------------------------ */

typedef enum twin_placement {
    TWIN_PLACE_UNIFORM = 0, /* uniform in the area, keyed by (seed, server) */
    TWIN_PLACE_GRID = 1,    /* centres of a near-square grid of cells */
    TWIN_PLACE_FILE = 2     /* CSV "x,y" rows, the first S used */
} twin_placement;

typedef enum twin_mobility {
    TWIN_MOB_STATIC = 0,       /* users stay where they start */
    TWIN_MOB_WAYPOINT = 1,     /* random waypoint with pauses */
    TWIN_MOB_GAUSS_MARKOV = 2, /* eqs. 1-4 of 002, reflected at the walls */
    TWIN_MOB_TRACE = 3         /* CSV "id,t,x,y", linearly interpolated */
} twin_mobility;

typedef enum twin_distance {
    TWIN_DIST_MANHATTAN = 0, /* |dx| + |dy| (003 uses it for l_{u,s}) */
    TWIN_DIST_EUCLIDEAN = 1
} twin_distance;

typedef struct twin_world_params {
    uint64_t seed;              /* servers: placement and capacities */
    uint64_t user_seed;         /* users: start, movement, twin sizes and
                                   arrivals (0: seed); episodes of a training
                                   run vary it over one server layout */
    double width, height;       /* m */
    double slot_seconds;        /* s per slot (mobility) */
    int servers, users;         /* S, U */
    twin_placement placement;
    int grid_cols;              /* TWIN_PLACE_GRID: columns (0: near-square) */
    const char *server_file;    /* for TWIN_PLACE_FILE */
    double p[2];                /* communication resource range, U[p0, p1] */
    double q[2];                /* computation capacity range */
    double eps[2];              /* CPU cycles per unit of data range */
    twin_mobility mobility;
    double speed[2];            /* m/s: waypoint speed range; Gauss-Markov
                                   mean speed is their midpoint */
    double pause;               /* s, waypoint pause at each destination */
    double gm_memory;           /* Gauss-Markov mu_1 = mu_2 in [0, 1] */
    double gm_speed_sigma;      /* m/s, std of Phi_k */
    double gm_direction_sigma;  /* rad, std of Psi_k */
    const char *trace_file;     /* for TWIN_MOB_TRACE */
    int trace_format;           /* 0 CSV, 1 T-Drive taxis, 2 SUMO FCD */
    double tdrive_lon, tdrive_lat; /* origin of the projection, degrees */
    double trace_start;         /* s into the trace at slot 0 */
    double trace_window;        /* s: > 0 picks as users the traces with
                                   the most samples in [start, start +
                                   window), busiest first (0: the first
                                   ids in order) */
    twin_distance distance;     /* user-server distance l_{u,s} */
    double phi;                 /* EMD of every user's label mix */
    int samples[2];             /* new samples per user per slot, U[lo, hi] */
    double twin_bits[2];        /* D_twin range, bits */
} twin_world_params;

typedef struct twin_world twin_world;

/* Builds the world at slot 0 (servers placed, users at their start). File
 * problems are DTFL_EDATA/DTFL_ENOINPUT with FILE:LINE in the message. */
int twin_world_create(twin_world **out, const twin_world_params *p,
                      dtfl_err *err);
void twin_world_destroy(twin_world *w);

/* Moves every user from slot t-1 to slot t (t >= 1), deterministically. */
void twin_world_step(twin_world *w, int t);
/* The slot the world is at. */
int twin_world_slot(const twin_world *w);

int twin_world_servers(const twin_world *w);
int twin_world_users(const twin_world *w);
void twin_world_user_xy(const twin_world *w, int u, double *x, double *y);
void twin_world_server_xy(const twin_world *w, int s, double *x, double *y);
double twin_world_server_p(const twin_world *w, int s);   /* p_s */
double twin_world_server_q(const twin_world *w, int s);   /* q_s */
double twin_world_server_eps(const twin_world *w, int s); /* eps_s */
double twin_world_user_phi(const twin_world *w, int u);   /* phi_u */
double twin_world_user_twin_bits(const twin_world *w, int u); /* D_twin */

/* l_{u,s}: user-server distance with the configured metric. */
double twin_world_user_server_dist(const twin_world *w, int u, int s);
/* l_{s,s'}: Manhattan distance between servers (eq. 13 of 003). */
double twin_world_server_dist(const twin_world *w, int s, int s2);
/* The nearest server to user u (ties to the lower id). */
int twin_world_nearest(const twin_world *w, int u);

/* Samples user u receives at slot t, keyed by (seed, u, t). */
int twin_world_new_samples(const twin_world *w, int u, int t);

/* Distances between points. */
double twin_dist(twin_distance kind, double x0, double y0, double x1,
                 double y1);

/* ------------------------------------------------------------------------ */
/* Simulated faults of the edge network (faults.c)                          */
/* ------------------------------------------------------------------------ */

/* Rates are probabilities per server per round and per user per slot. */
typedef struct twin_faults {
    double dropout;    /* a server drops out of a round: no update */
    double straggler;  /* a server's round takes `slowdown` times as long */
    double slowdown;   /* a straggler's round time, in nominal round times */
    double deadline;   /* a round closes after this many nominal round times;
                          0: it waits for every server */
    double user_miss;  /* a user misses a slot's upload (never slot 0) */
} twin_faults;

typedef enum twin_server_fault {
    TWIN_SERVER_REPORTS = 0, /* its update is in time */
    TWIN_SERVER_DROPPED = 1, /* dropped out: it neither trains nor reports */
    TWIN_SERVER_LATE = 2     /* a straggler past the deadline: trains, but
                                its update misses the round */
} twin_server_fault;

/* The fate of server k in round r of slot t, keyed by (seed, k, t); *time is
 * its round time in nominal round times (1, or slowdown for a straggler). */
twin_server_fault twin_fault_server(const twin_faults *f, uint64_t seed, int k,
                                    int t, int r, double *time);
/* 1 when user u misses slot t's upload, keyed by (seed, u, t). */
int twin_fault_user_misses(const twin_faults *f, uint64_t seed, int u, int t);

/* ------------------------------------------------------------------------ */
/* Mobility models (mobility.c), one step of one user                       */
/* ------------------------------------------------------------------------ */

/* A user's mobility state: plain data, so checkpoints can copy it. */
typedef struct twin_mover {
    double x, y;         /* position, m */
    double v, theta;     /* Gauss-Markov speed (m/s) and heading (rad) */
    double theta_mean;   /* Gauss-Markov mean heading, reflected at walls */
    double dx, dy;       /* waypoint destination */
    double speed;        /* waypoint speed of the current leg */
    double pause_left;   /* waypoint pause still to sit out, s */
} twin_mover;

/* Start state of user u (uniform position, first waypoint, heading), keyed
 * by (seed, MOBILITY, u, 0). */
void twin_mover_start(twin_mover *m, const twin_world_params *p,
                      uint64_t seed, int u);
/* Advances m by one slot of p->slot_seconds, drawing from r. */
void twin_mover_step(twin_mover *m, const twin_world_params *p, dtfl_rng *r);

/* ------------------------------------------------------------------------ */
/* Trajectory traces (trace.c)                                              */
/* ------------------------------------------------------------------------ */

typedef struct twin_trace twin_trace;

/* Reads "id,t,x,y" rows (a header line is allowed; t in seconds, rows of an
 * id in increasing t). Each problem is reported as FILE:LINE: message. */
int twin_trace_load(twin_trace **out, const char *path, double width,
                    double height, dtfl_err *err);
/* Reads T-Drive taxi files ("id,YYYY-MM-DD HH:MM:SS,lon,lat"; a file or a
 * folder of them, tdrive.c), projected to metres about (lon0, lat0), t from
 * the earliest sample; positions outside the world are moved onto its
 * edge and counted in *clamped. Problems are FILE:LINE: message. */
int twin_trace_load_tdrive(twin_trace **out, const char *path, double lon0,
                           double lat0, double width, double height,
                           int *clamped, dtfl_err *err);
/* Reads SUMO floating-car data (`sumo --fcd-output`, fcd.c), streamed:
 * vehicles in order of first appearance, times rising from timestep to
 * timestep; positions outside the world are moved onto its edge and
 * counted in *clamped. Problems are FILE:LINE: message. */
int twin_trace_load_fcd(twin_trace **out, const char *path, double width,
                        double height, int *clamped, dtfl_err *err);
/* The trace of a world's parameters, in its trace_format. */
int twin_trace_load_world(twin_trace **out, const twin_world_params *p,
                          dtfl_err *err);
void twin_trace_destroy(twin_trace *t);
int twin_trace_users(const twin_trace *t);
/* Samples of the k-th user's trace in [t0, t1). */
int twin_trace_samples_in(const twin_trace *t, int k, double t0, double t1);
/* Position of the k-th user (ids in ascending order) at time sec. */
void twin_trace_at(const twin_trace *t, int k, double sec, double *x,
                   double *y);

/* ------------------------------------------------------------------------ */
/* The user digital twin                                                    */
/* ------------------------------------------------------------------------ */

/* Samples held by a twin. */
typedef struct twin_buf {
    int n;          /* samples */
    uint8_t *x;     /* (n, dim) pixel bytes */
    uint8_t *y;     /* (n,) labels */
} twin_buf;

/* The last status update applied to a twin (002's synchronisation: the
 * user's state reaching its twin), when a scenario sends them. */
typedef struct twin_status {
    int64_t slot;       /* the slot it was applied in; -1: none yet */
    int32_t from;       /* the server it came from */
    int64_t bytes;      /* its payload's length */
    uint64_t digest;    /* its payload's XXH3-64 */
    double value[4];    /* the scenario's (happo: the user's x, y in m, the
                           request's D bits and C cycles) */
} twin_status;

/* DT_u^t = {w_u, D_twin, D_dat} (eq. 1 of 003). Plain data with an owner:
 * twin_dt_create/destroy manage the buffers. */
typedef struct twin_dt {
    uint32_t user;      /* u */
    uint32_t slot;      /* t of the data it holds */
    int dim;            /* pixels per sample */
    size_t nweights;
    float *weights;     /* (nweights,) personalised model w_u */
    size_t blob_len;
    uint8_t *blob;      /* (blob_len,) base twin data, D_twin bits */
    twin_buf cur;       /* D_{u,t}: this slot's samples */
    twin_buf prev;      /* D_{u,t-1}: last slot's samples */
    int has_status;     /* a status was ever applied: encoded as STATUS */
    twin_status status;
} twin_dt;

/* A twin with zeroed weights, a blob of twin_bits bits filled from
 * (seed, user), and no samples. */
int twin_dt_create(twin_dt **out, uint32_t user, int dim, size_t nweights,
                   double twin_bits, uint64_t seed, dtfl_err *err);
void twin_dt_destroy(twin_dt *dt);

/* Applies a status update (its checks are the caller's: it came checked). */
void twin_dt_set_status(twin_dt *dt, const twin_status *st);
/* Slots since the last status applied at slot t: t - its slot, or t + 1
 * when none was. */
int64_t twin_dt_staleness(const twin_dt *dt, int64_t t);

/* Synchronisation (step 2 of 003): cur becomes prev, and the n new samples
 * (bytes copied from x/y) become cur, for slot t. */
int twin_dt_sync(twin_dt *dt, uint32_t t, int n, const uint8_t *x,
                 const uint8_t *y, dtfl_err *err);

/* The training set Dbar_{u,t} (eq. 3): all of cur plus a share gamma of
 * prev, picked per label so its label mix matches prev's, keyed by
 * (seed, user, slot). Writes (buffer index 0 = cur, 1 = prev, sample index)
 * pairs to `pick` (room for cur.n + prev.n) and returns how many. */
int twin_dt_training_set(const twin_dt *dt, double gamma, uint64_t seed,
                         int32_t *pick);

/* ---- byte format (dt_codec.c, spec in docs/formats.md) ---- */

/* Version 2 has a STATUS section; a twin without a status is written as
 * version 1, byte for byte what it was; both are read. */
#define TWIN_DT_VERSION 2u

/* Section types of an encoded twin. */
typedef enum twin_section_type {
    TWIN_SEC_META = 1,
    TWIN_SEC_WEIGHTS = 2,
    TWIN_SEC_BLOB = 3,
    TWIN_SEC_CUR_X = 4,
    TWIN_SEC_CUR_Y = 5,
    TWIN_SEC_PREV_X = 6,
    TWIN_SEC_PREV_Y = 7,
    TWIN_SEC_STATUS = 8
} twin_section_type;

typedef struct twin_section {
    uint32_t type;      /* twin_section_type */
    size_t offset;      /* from the start of the encoded twin */
    size_t length;      /* bytes */
} twin_section;

#define TWIN_MAX_SECTIONS 16

/* Bytes twin_dt_encode needs for dt. */
size_t twin_dt_encode_bound(const twin_dt *dt);
/* Encodes dt into buf (cap >= bound); *len receives the bytes written. */
int twin_dt_encode(const twin_dt *dt, uint8_t *buf, size_t cap, size_t *len,
                   dtfl_err *err);

/* What a decoder expects: a twin made for another model, image size or label
 * set is refused. */
typedef struct twin_dt_expect {
    int dim;            /* pixels per sample */
    size_t nweights;    /* model size */
    int classes;        /* labels must be below this */
} twin_dt_expect;

/* Decodes a twin, checking magic, version, length, CRC, the section table
 * and every size against `expect` before allocating or copying; never reads
 * outside buf[0..len). `name` is used in messages. */
int twin_dt_decode(const uint8_t *buf, size_t len, const twin_dt_expect *expect,
                   const char *name, twin_dt **out, dtfl_err *err);

/* The section table of an encoded twin (checked like decode, without the
 * CRC), for transports that treat sections differently. */
int twin_dt_sections(const uint8_t *buf, size_t len, twin_section *sec,
                     int *nsec, dtfl_err *err);

#endif /* DTFL_TWIN_H */
