/*
 * mobility.c - how one user moves during one slot.
 *
 * Random waypoint: walk at a speed drawn from [speed0, speed1] towards a
 * uniform destination, pause `pause` seconds there, draw the next leg.
 *
 * Gauss-Markov (eqs. 1-4 of 002_ca0ca53b36ca2425.txt): the position moves
 * with the previous speed and heading (eqs. 3-4),
 *     x[n] = x[n-1] + v[n-1] cos(theta[n-1]) dt,  y likewise with sin,
 * then speed and heading are updated with memory mu (eqs. 1-2),
 *     v[n]     = mu v[n-1]     + (1 - mu) vbar     + sqrt(1 - mu^2) Phi,
 *     theta[n] = mu theta[n-1] + (1 - mu) thetabar + sqrt(1 - mu^2) Psi,
 * with Phi ~ N(0, sigma_v^2), Psi ~ N(0, sigma_theta^2). The extracted text
 * of eq. 2 puts Psi under the square root; we read it as eq. 1's form. The
 * paper does not say what happens at the area's edge: a user reflects off
 * the wall, and its mean heading is reflected too, so the pull towards the
 * mean heading does not drive it back into the wall. Speeds are kept >= 0.
 */
#include "twin.h"

#include <math.h>

static void mover__leg(twin_mover *m, const twin_world_params *p, dtfl_rng *r)
{
    m->dx = dtfl_rng_range(r, 0.0, p->width);
    m->dy = dtfl_rng_range(r, 0.0, p->height);
    m->speed = dtfl_rng_range(r, p->speed[0], p->speed[1]);
}

void twin_mover_start(twin_mover *m, const twin_world_params *p,
                      uint64_t seed, int u)
{
    dtfl_rng r;
    dtfl_rng_init(&r, seed, DTFL_STREAM_MOBILITY, (uint32_t)u, 0);
    m->x = dtfl_rng_range(&r, 0.0, p->width);
    m->y = dtfl_rng_range(&r, 0.0, p->height);
    m->theta = dtfl_rng_range(&r, 0.0, 2.0 * M_PI);
    m->theta_mean = m->theta;
    m->v = 0.5 * (p->speed[0] + p->speed[1]);
    m->pause_left = 0.0;
    mover__leg(m, p, &r);
}

/* Random waypoint: spend dt seconds walking legs and pausing. */
static void mover__waypoint(twin_mover *m, const twin_world_params *p,
                            dtfl_rng *r)
{
    double left = p->slot_seconds;
    for (int legs = 0; legs < 64 && left > 0.0; legs++) {
        if (m->pause_left > 0.0) {
            double t = m->pause_left < left ? m->pause_left : left;
            m->pause_left -= t;
            left -= t;
            continue;
        }
        double ex = m->dx - m->x, ey = m->dy - m->y;
        double d = sqrt(ex * ex + ey * ey);
        double reach = m->speed * left;
        if (m->speed <= 0.0) /* a zero-speed leg is a pause of the slot */
            return;
        if (reach < d) {
            m->x += ex / d * reach;
            m->y += ey / d * reach;
            return;
        }
        m->x = m->dx;
        m->y = m->dy;
        left -= d / m->speed;
        m->pause_left = p->pause;
        mover__leg(m, p, r);
    }
}

/* Reflects a coordinate into [0, hi]; returns 1 when it reflected. */
static int mover__reflect(double *c, double hi)
{
    int hit = 0;
    for (int k = 0; k < 4 && (*c < 0.0 || *c > hi); k++) {
        *c = *c < 0.0 ? -*c : 2.0 * hi - *c;
        hit = 1;
    }
    if (*c < 0.0 || *c > hi) /* a step longer than the area: clamp */
        *c = *c < 0.0 ? 0.0 : hi;
    return hit;
}

static void mover__gauss_markov(twin_mover *m, const twin_world_params *p,
                                dtfl_rng *r)
{
    const double dt = p->slot_seconds, mu = p->gm_memory;
    const double vbar = 0.5 * (p->speed[0] + p->speed[1]);
    /* eqs. 3-4: move with the previous speed and heading */
    m->x += m->v * cos(m->theta) * dt;
    m->y += m->v * sin(m->theta) * dt;
    if (mover__reflect(&m->x, p->width)) {
        m->theta = M_PI - m->theta;
        m->theta_mean = M_PI - m->theta_mean;
    }
    if (mover__reflect(&m->y, p->height)) {
        m->theta = -m->theta;
        m->theta_mean = -m->theta_mean;
    }
    /* eqs. 1-2: new speed and heading */
    double s = sqrt(1.0 - mu * mu);
    double phi = p->gm_speed_sigma * dtfl_rng_normal(r);
    double psi = p->gm_direction_sigma * dtfl_rng_normal(r);
    m->v = mu * m->v + (1.0 - mu) * vbar + s * phi;
    if (m->v < 0.0)
        m->v = 0.0;
    m->theta = mu * m->theta + (1.0 - mu) * m->theta_mean + s * psi;
}

void twin_mover_step(twin_mover *m, const twin_world_params *p, dtfl_rng *r)
{
    switch (p->mobility) {
    case TWIN_MOB_WAYPOINT:
        mover__waypoint(m, p, r);
        break;
    case TWIN_MOB_GAUSS_MARKOV:
        mover__gauss_markov(m, p, r);
        break;
    default: /* static and trace users are positioned elsewhere */
        break;
    }
}
