/*
 * state.c - the state a learned policy sees (Sec. IV-A of 003): for each user
 * its position, EMD, twin size, new and previous sample counts, its distance
 * to every server and a one-hot of the server now holding its twin (what a
 * move would cost depends on it); for each server its position and
 * capacities. Each feature is divided by a scale that keeps it near [0, 1]:
 * the area, 2 for EMD, the configured maxima for sizes, the largest capacity
 * of the slot for p and q.
 */
#include "diten.h"

int scen_diten_state_dim(int users, int servers)
{
    return users * (6 + 2 * servers) + 4 * servers;
}

void scen_diten_state(const scen_diten_scale *p, const scen_diten_obs *o,
                      float *st)
{
    const int U = o->users, S = o->servers;
    const double span = p->width + p->height; /* largest Manhattan distance */
    double pmax = 1e-12, qmax = 1e-12;
    for (int s = 0; s < S; s++) {
        pmax = o->p[s] > pmax ? o->p[s] : pmax;
        qmax = o->q[s] > qmax ? o->q[s] : qmax;
    }
    float *x = st;
    for (int u = 0; u < U; u++) {
        *x++ = (float)(o->user_xy[2 * u] / p->width);
        *x++ = (float)(o->user_xy[2 * u + 1] / p->height);
        *x++ = (float)(o->phi[u] / 2.0);
        *x++ = (float)(o->twin_bits[u] / p->twin_bits_max);
        *x++ = (float)(o->n_new[u] / p->samples_max);
        *x++ = (float)(o->n_prev[u] / p->samples_max);
        for (int s = 0; s < S; s++)
            *x++ = (float)(o->dist[(size_t)u * S + s] / span);
        int at = o->prev_assoc != NULL ? o->prev_assoc[u] : -1;
        for (int s = 0; s < S; s++)
            *x++ = s == at ? 1.0f : 0.0f;
    }
    for (int s = 0; s < S; s++) {
        *x++ = (float)(o->server_xy[2 * s] / p->width);
        *x++ = (float)(o->server_xy[2 * s + 1] / p->height);
        *x++ = (float)(o->p[s] / pmax);
        *x++ = (float)(o->q[s] / qmax);
    }
}
