/*
 * scen_int.h - internal to scen/: the registry's entries and the learned
 * policy that any scenario's learner entries are built on.
 */
#ifndef DTFL_SCEN_INT_H
#define DTFL_SCEN_INT_H

#include "scen.h"

/* The scenarios of the registry (registry.c lists them). */
extern const scen_ops scen__diten_ops;
extern const scen_ops scen__toy_ops;
extern const scen_ops scen__taco_ops;
extern const scen_ops scen__tmo_ops;
extern const scen_ops scen__eco_ops;
extern const scen_ops scen__happo_ops;

/* Their policies, NULL-terminated (diten_policies.c, toy.c). */
extern const scen_policy_ops *const scen__diten_policies[];
extern const scen_policy_ops *const scen__taco_policies[];
extern const scen_policy_ops *const scen__tmo_policies[];
extern const scen_policy_ops *const scen__eco_policies[];
extern const scen_policy_ops *const scen__happo_policies[];

/* The world of an episode (registry.c): users keyed by (seed, episode),
 * episode -1 the run's own (with trace windows, episode e the window e
 * windows after the run's); *useed the seed that keys the scenario's own
 * draws of the episode. Any world *w held is destroyed first. */
int scen__world(const scen_setup *s, int episode, twin_world **w,
                uint64_t *useed, dtfl_err *err);

/* save and load of a heuristic without state between slots (policy.c):
 * nothing written, and only nothing accepted. */
int scen__stateless_save(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
int scen__stateless_load(void *self, const uint8_t *buf, size_t len, dtfl_err *err);

/* A learned policy: one sched/ learner per agent on its vector observation
 * (learned.c). Frame-level agents act at frame starts only and learn from
 * the sum of their rewards over the frame. */
typedef struct scen__learned scen__learned;

int scen__learned_create(scen__learned **out, const char *algo,
                         const scen_policy_setup *p, unsigned flags,
                         dtfl_err *err);
void scen__learned_destroy(scen__learned *l);
int scen__learned_decide(scen__learned *l, const scen_obs *o, scen_action *a,
                         dtfl_err *err);
int scen__learned_feedback(scen__learned *l, const double *reward,
                           int frame_end, int done, dtfl_err *err);
void scen__learned_set_training(scen__learned *l, int training);
int scen__learned_save(scen__learned *l, uint8_t *buf, size_t *len,
                       dtfl_err *err);
int scen__learned_load(scen__learned *l, const uint8_t *buf, size_t len,
                       dtfl_err *err);

/* A multi-agent learned policy (marl.c): HAPPO or MAPPO over every agent,
 * critics on the scenario's state; learned.c delegates to it for the
 * learner names scen__marl_is accepts. */
typedef struct scen__marl scen__marl;

int scen__marl_is(const char *algo);
int scen__marl_create(scen__marl **out, const char *algo, const scen_policy_setup *p,
                      dtfl_err *err);
void scen__marl_destroy(scen__marl *l);
int scen__marl_decide(scen__marl *l, const scen_obs *o, scen_action *a, dtfl_err *err);
int scen__marl_feedback(scen__marl *l, const double *reward, int done, dtfl_err *err);
void scen__marl_set_training(scen__marl *l, int training);
int scen__marl_save(scen__marl *l, uint8_t *buf, size_t *len, dtfl_err *err);
int scen__marl_load(scen__marl *l, const uint8_t *buf, size_t len, dtfl_err *err);
const sched_marl *scen__marl_learner(const scen__marl *l);
/* learned.c's multi-agent learner, or NULL */
const scen__marl *scen__learned_marl(const scen__learned *l);

#endif /* DTFL_SCEN_INT_H */
