/*
 * toy.h - the test scenario `toy` (no paper): two edge servers with a cost
 * each, and two agents on two timescales. The placer puts every user's
 * twin on a server at each frame start (it pays the server's cost each slot
 * and a penalty per move); the sharer picks each slot how much of last
 * slot's data the twins train on, from {0, 1/2, 1}, and pays its distance
 * to a target. The optimum is known: every twin on the cheaper server,
 * never moved, and the share nearest the target (policy `cheapest`). In
 * real mode each twin's server may also send the other a status update of
 * toy.status_bytes each slot (the transfer effect). It
 * exists to drive the scenario interface apart from any paper: both
 * drivers, frames, several agents, learners, checkpoints.
 */
#ifndef DTFL_SCEN_TOY_H
#define DTFL_SCEN_TOY_H

#include "scen.h"

/* The `toy.*` section. */
typedef struct scen_toy_setup {
    double cost[2];       /* per slot, of hosting a twin on server 0, 1 */
    double move_penalty;  /* per twin moved */
    double target;        /* the share the sharer should pick, [0, 1] */
    int64_t status_bytes; /* each twin's server sends the other server this
                             many bytes of status each slot (real mode) */
    int sharer_box;       /* 1: the sharer picks any share in [0, 1] (a
                             continuous action), 0: one of {0, 1/2, 1} */
} scen_toy_setup;

#endif /* DTFL_SCEN_TOY_H */
