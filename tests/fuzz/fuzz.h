/*
 * fuzz.h - what dtfl's libFuzzer targets share: the shapes of the twins they
 * decode (small, so that the fuzzer reaches deep states quickly), the
 * framing of several messages in one fuzz input, and the policy that policy
 * files are loaded into.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DDTFL_FUZZ=ON
 * Run:   tests/fuzz/run.sh SECONDS
 */
#ifndef DTFL_FUZZ_H
#define DTFL_FUZZ_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../twin/twin.h"

#define FUZZ_DIM 4        /* pixels per sample */
#define FUZZ_WEIGHTS 6    /* model size */
#define FUZZ_CLASSES 10

static const twin_dt_expect fuzz_expect = {FUZZ_DIM, FUZZ_WEIGHTS, FUZZ_CLASSES};

/* Several messages in one input: a count byte (1..16), then each message as
 * a 2-byte little-endian length and its bytes. Returns the count, or 0 when
 * the input does not split (msg[i] point into data). */
#define FUZZ_MAX_MSGS 16
static inline int fuzz_split(const uint8_t *data, size_t size,
                             uint8_t **msg, size_t *len)
{
    if (size < 1)
        return 0;
    int n = data[0] % FUZZ_MAX_MSGS + 1;
    size_t at = 1;
    for (int i = 0; i < n; i++) {
        if (size - at < 2)
            return 0;
        size_t l = (size_t)data[at] | (size_t)data[at + 1] << 8;
        at += 2;
        if (l > size - at)
            return 0;
        msg[i] = (uint8_t *)(data + at);
        len[i] = l;
        at += l;
    }
    return n;
}

/* A file with a CRC-32 trailer tried as it is and again with the CRC made
 * right, so the fuzzer gets past the checksum to what follows it. */
static inline void fuzz_with_crc(const uint8_t *data, size_t size,
                                 void (*load)(const uint8_t *data, size_t size))
{
    load(data, size);
    if (size < 4)
        return;
    uint8_t *copy = malloc(size);
    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    dtfl_put_u32(copy + size - 4, dtfl_crc32(0, copy, size - 4));
    load(copy, size);
    free(copy);
}

/* The small PPO policy of the diten scenario (2 users, 3 servers, one
 * hidden layer of 4) that policy files are loaded into, with the scenario
 * it serves; NULL when it cannot be made. */
#include "../../app/env.h"

static inline app_env *fuzz_policy_env(void)
{
    static const char text[] = "mode: analytic\nmodel: {kind: 2nn}\n"
                               "users: {count: 2}\nservers: {count: 3}\n"
                               "sched: {policy: ppo}\n"
                               "ppo: {hidden: 4, layers: 1}\n";
    static app_config cfg; /* the scenario keeps pointers into it */
    app_diag *diag = NULL;
    app_env *env = NULL;
    if (app_diag_create(&diag) < 0)
        return NULL;
    int rc = app_config_load_text(&cfg, "fuzz-policy", text, sizeof text - 1, 0,
                                  NULL, 0, app_limits_default(), diag);
    app_diag_destroy(diag);
    if (rc < 0)
        return NULL;
    return app_env_create(&env, &cfg, NULL) == 0 ? env : NULL;
}

/* A small taco scenario (3 PTs, 2 ESs, frames of 3 slots) whose checkpoint
 * states fuzz_scenstate loads, played `slots` slots; NULL when it cannot be
 * made. */
/* A config's scenario and policy (YAML text), after `slots` slots; cfg
 * must outlive the env. */
static inline app_env *fuzz_env_of(app_config *cfg, const char *name,
                                   const char *text, int slots)
{
    app_diag *diag = NULL;
    app_env *env = NULL;
    if (app_diag_create(&diag) < 0)
        return NULL;
    int rc = app_config_load_text(cfg, name, text, strlen(text), 0, NULL, 0,
                                  app_limits_default(), diag);
    app_diag_destroy(diag);
    if (rc < 0 || app_env_create(&env, cfg, NULL) != 0)
        return NULL;
    rc = app_env_reset(env, -1, NULL);
    for (int t = 0; rc == 0 && t < slots; t++)
        rc = app_env_slot(env, NULL) < 0;
    if (rc != 0) {
        app_env_destroy(env);
        return NULL;
    }
    return env;
}

static inline app_env *fuzz_taco_env(int slots)
{
    static app_config cfg;
    return fuzz_env_of(&cfg, "fuzz-taco", "scenario: taco\nmode: analytic\n"
                       "model: {kind: softmax}\nusers: {count: 3}\n"
                       "servers: {count: 2}\nworld: {slots: 9, frame_slots: 3}\n",
                       slots);
}

static inline app_env *fuzz_eco_env(int slots)
{
    static app_config cfg;
    return fuzz_env_of(&cfg, "fuzz-eco", "scenario: ecoedgetwin\nmode: analytic\n"
                       "model: {kind: softmax}\nusers: {count: 3, samples: [1, 1]}\n"
                       "servers: {count: 4, placement: grid}\n"
                       "world: {slots: 9, slot_seconds: 60}\n"
                       "ecoedgetwin: {candidates: 2, contents: 3}\n"
                       "sched: {policy: eco-random}\n", slots);
}

/* A scenario state on any bytes: one that loads must save to bytes that
 * load again and save to the same bytes, and the instance then plays the
 * rest of its episode. */
static inline void fuzz_state_input(app_env *env, const uint8_t *data, size_t size)
{
    scen *sc = app_env_scen(env);
    const scen_ops *ops = scen_ops_of(sc);
    if (ops->load(scen_self(sc), data, size, NULL) != 0)
        return;
    uint8_t *once = NULL, *twice = NULL;
    size_t n1 = 0, n2 = 0;
    if (ops->save(scen_self(sc), NULL, &n1, NULL) != 0 || (once = malloc(n1 + 1)) == NULL ||
        ops->save(scen_self(sc), once, &n1, NULL) != 0 ||
        ops->load(scen_self(sc), once, n1, NULL) != 0 ||
        ops->save(scen_self(sc), NULL, &n2, NULL) != 0 || (twice = malloc(n2 + 1)) == NULL ||
        ops->save(scen_self(sc), twice, &n2, NULL) != 0 || n1 != n2 ||
        memcmp(once, twice, n1) != 0)
        abort();
    const scen_info *in = app_env_info(env);
    for (int t = 0; t < in->slots; t++) { /* the values it took can be played */
        dtfl_err err = {0};
        int rc = app_env_slot(env, &err);
        if (rc < 0) {
            fprintf(stderr, "a loaded state does not play: %s\n", err.msg);
            abort();
        }
        if (rc > 0)
            break;
    }
    free(once);
    free(twice);
}

/* A small happo scenario (3 MUs, 2 BSs) with a Beta-HAPPO policy of one
 * hidden layer of 4, whose multi-agent policy files fuzz_marlpolicy loads. */
static inline app_env *fuzz_happo_env(void)
{
    static app_config cfg;
    return fuzz_env_of(&cfg, "fuzz-happo", "scenario: happo\nmode: analytic\n"
                       "model: {kind: softmax}\nusers: {count: 3, samples: [1, 1]}\n"
                       "servers: {count: 2, placement: grid}\n"
                       "world: {slots: 20, frame_slots: 10, slot_seconds: 0.05}\n"
                       "marl: {hidden: 4, hidden2: 0}\n"
                       "sched: {policy: beta-happo}\n", 0);
}

/* A policy file on any bytes, loaded into pol: one that loads must save to
 * bytes that load again and save to the same bytes. */
static inline uint8_t *fuzz__policy_save(scen_policy *pol, size_t *len)
{
    *len = 0;
    uint8_t *buf = NULL;
    if (scen_policy_save(pol, NULL, len, NULL) != 0 || (buf = malloc(*len)) == NULL ||
        scen_policy_save(pol, buf, len, NULL) != 0)
        abort(); /* a loaded policy always saves */
    return buf;
}

static scen_policy *fuzz__pol;

static inline void fuzz__policy_load(const uint8_t *data, size_t size)
{
    if (scen_policy_load(fuzz__pol, data, size, NULL) != 0)
        return;
    size_t n1, n2;
    uint8_t *once = fuzz__policy_save(fuzz__pol, &n1);
    if (scen_policy_load(fuzz__pol, once, n1, NULL) != 0)
        abort();
    uint8_t *twice = fuzz__policy_save(fuzz__pol, &n2);
    if (n1 != n2 || memcmp(once, twice, n1) != 0)
        abort();
    free(once);
    free(twice);
}

/* Each input as it is and with its CRC-32 trailer made right. */
static inline void fuzz_policy_input(scen_policy *pol, const uint8_t *data, size_t size)
{
    fuzz__pol = pol;
    fuzz_with_crc(data, size, fuzz__policy_load);
}

#endif /* DTFL_FUZZ_H */
