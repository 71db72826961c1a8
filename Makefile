# dtfl - the two commands of the README, and a few more.
#   make demo    install what is missing, build, run the main job:
#                mpirun -np 2 build/dtfl run configs/quick.yaml
#   make test    install what is missing, build, run the tests that fit in CI,
#                then the unit tests and one MPI test again in an
#                AddressSanitizer + UBSan build (build-asan/), then a fuzz
#                smoke: every libFuzzer target for FUZZ_SMOKE seconds
# Other targets: build, sanitize, deps, fuzz, bench, bench-peers, bench-taco,
# bench-tmo, bench-eco, bench-happo, taco, tmo, ecoedgetwin, happo, diten, utility, clean.
BUILD ?= build
SAN_BUILD ?= build-asan
# Open MPI's own allocations from MPI_Init are suppressed (tests/sanitize/);
# full unwinding lets each leak's stack reach the library that made it.
# use_tls=0: LeakSanitizer's scan of dynamic TLS crashes ("Tracer caught
# signal 11") on a garbage range it records for one of the components Open
# MPI loads with dlopen ("DTLS 9 at 0x3bc2-0x400004cc4", seen with
# log_threads=1), depending on heap layout; memory held only through TLS
# would be reported rather than hidden, and none is
SAN_ENV = ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_stack_use_after_return=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitize/lsan.supp:use_tls=0 \
	UBSAN_OPTIONS=print_stacktrace=1
JOBS ?= $(shell nproc)
CTEST_LABELS ?= unit|mpi
CTEST_EXCLUDE ?= slow|fuzz
SECONDS ?= 60
FUZZ_SMOKE ?= 10
export OMPI_ALLOW_RUN_AS_ROOT = 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = 1
export OMPI_MCA_rmaps_base_oversubscribe = 1

.PHONY: demo test build sanitize deps fuzz bench bench-peers bench-taco bench-tmo bench-eco bench-happo taco tmo ecoedgetwin happo diten utility clean

deps:
	@scripts/deps.sh build data

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

sanitize: deps
	@cmake -S . -B $(SAN_BUILD) -DDTFL_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS)

demo: build
	mpirun -np 2 $(BUILD)/dtfl run configs/quick.yaml

test: build sanitize
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L '$(CTEST_LABELS)' -LE '$(CTEST_EXCLUDE)'
	cd $(SAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) -L unit -LE '$(CTEST_EXCLUDE)|nosan'
	cd $(SAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -R '^mpi_ranks$$'
	FUZZ_SKIP_MISSING=1 tests/fuzz/run.sh $(FUZZ_SMOKE)

# every libFuzzer target for SECONDS each, two at a time (tests/fuzz/run.sh)
fuzz: deps
	tests/fuzz/run.sh $(SECONDS)

bench: build
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench blas
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench train
	mpirun -np 2 $(BUILD)/dtfl bench migrate
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench gamma
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench rl
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench scale
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench taco
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench tmo

# dtfl's training steps beside PyTorch's (Debian python3-torch), one thread
bench-peers: build
	@scripts/deps.sh peers
	/usr/bin/python3 experiments/peers/torch_train.py --dtfl $(BUILD)/dtfl

# the TACO engine beside PuLP + CBC and SciPy's SLSQP on the same instance
bench-taco: build
	@scripts/deps.sh peers
	/usr/bin/python3 experiments/taco/peer.py --dtfl $(BUILD)/dtfl

# the TMO engine beside SciPy (milp, SLSQP) and the GRU beside PyTorch
bench-tmo: build
	@scripts/deps.sh peers
	/usr/bin/python3 experiments/tmo/am_peer.py --dtfl $(BUILD)/dtfl
	/usr/bin/python3 experiments/tmo/gru_peer.py --dtfl $(BUILD)/dtfl

# EcoEdgeTwin's A2C beside SB3's written in PyTorch (docs/ecoedgetwin.md)
bench-eco: build
	@scripts/deps.sh peers
	/usr/bin/python3 experiments/ecoedgetwin/torch_peer.py --dtfl $(BUILD)/dtfl

# Beta-HAPPO's training speed (dtfl bench happo) and beside it the same
# learner written in PyTorch on the same C environment (docs/happo.md)
bench-happo: build
	@scripts/deps.sh peers
	$(BUILD)/dtfl bench happo
	/usr/bin/python3 experiments/happo/torch_peer.py --dtfl $(BUILD)/dtfl --episodes 2

# Figs. 5-8 of 000 (docs/tmo.md): SUMO cars and the GRU made once (cached
# in results/tmo/), then 10 seeds, about 25 min on 2 cores
tmo: build
	@scripts/deps.sh plots sumo
	/usr/bin/python3 experiments/tmo/sweep.py --dtfl $(BUILD)/dtfl --out results/tmo

# Figs. 4-10 of 001 (docs/taco.md): 10 seeds, about 15 min on 2 cores
taco: build
	@scripts/deps.sh plots
	/usr/bin/python3 experiments/taco/sweep.py --dtfl $(BUILD)/dtfl --out results/taco

# Figs. 2a-b and 3a-b of 004 (docs/ecoedgetwin.md): 3 seeds, about a minute
ecoedgetwin: build
	@scripts/deps.sh plots
	/usr/bin/python3 experiments/ecoedgetwin/sweep.py --dtfl $(BUILD)/dtfl --out results/ecoedgetwin

# Figs. 4-14 of 002 (docs/happo.md): 3 learners and 3 heuristics, 3 seeds at
# K 30 and 1 in the sweeps over K and M, reduced episodes; about 30 min
happo: build
	@scripts/deps.sh plots
	/usr/bin/python3 experiments/happo/sweep.py --dtfl $(BUILD)/dtfl --out results/happo

# Figs. 4-10 of 003 (docs/diten.md): 28 settings x 5 policies x 3 seeds,
# about 53 min on 2 cores
diten: build
	@scripts/deps.sh plots
	/usr/bin/python3 experiments/diten/sweep.py --out results/diten

# Fig. 3 of 003 measured with the CNN (docs/utility.md), then PPO on the fit
utility: build
	@scripts/deps.sh plots
	mpirun -np $(JOBS) $(BUILD)/dtfl utility-fit configs/utility-cnn.yaml
	/usr/bin/python3 experiments/utility/fig3.py results/utility-cnn
	/usr/bin/python3 experiments/diten/sweep.py --out results/diten --fit results/utility-cnn/fit.json

clean:
	rm -rf $(BUILD) $(SAN_BUILD) build-fuzz
