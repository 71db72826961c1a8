/*
 * faults.c - the faults an edge network lives with, simulated: an edge
 * server that drops out of an FL round, a straggler whose update comes late,
 * a user that misses a slot's upload (DESIGN.md section 3: Open MPI here has
 * no ULFM, so these are drawn inside the program, not done to real ranks).
 *
 * Every draw is keyed by (seed, FAULT, entity, slot), never by rank, so a run
 * meets the same faults with 1, 2 or 4 ranks. A server's stream gives two
 * uniforms per round (dropout, then straggler) in round order; users draw
 * from entities above TWIN_FAULT_USER_BASE so the two never share a stream.
 *
 * What is not here: what the run does about a fault (run_slot.c) and the
 * aggregation rule (fl_quorum in fl/fedavg.c).
 */
#include "twin.h"

#define TWIN_FAULT_USER_BASE 0x80000000u

twin_server_fault twin_fault_server(const twin_faults *f, uint64_t seed, int k,
                                    int t, int r, double *time)
{
    *time = 1.0;
    if (f->dropout <= 0.0 && f->straggler <= 0.0)
        return TWIN_SERVER_REPORTS;
    dtfl_rng g;
    dtfl_rng_init(&g, seed, DTFL_STREAM_FAULT, (uint32_t)k, (uint32_t)t);
    double drop = 0.0, slow = 0.0;
    for (int i = 0; i <= r; i++) { /* the stream's place of round r */
        drop = dtfl_rng_uniform(&g);
        slow = dtfl_rng_uniform(&g);
    }
    if (drop < f->dropout)
        return TWIN_SERVER_DROPPED;
    if (slow < f->straggler)
        *time = f->slowdown;
    if (f->deadline > 0.0 && *time > f->deadline)
        return TWIN_SERVER_LATE;
    return TWIN_SERVER_REPORTS;
}

int twin_fault_user_misses(const twin_faults *f, uint64_t seed, int u, int t)
{
    if (f->user_miss <= 0.0 || t == 0) /* slot 0 is the twin's creation */
        return 0;
    dtfl_rng g;
    dtfl_rng_init(&g, seed, DTFL_STREAM_FAULT, TWIN_FAULT_USER_BASE + (uint32_t)u,
                  (uint32_t)t);
    return dtfl_rng_uniform(&g) < f->user_miss;
}
