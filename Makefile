# dtfl - the two commands of the README, and a few more.
#   make demo    install what is missing, build, run the main job:
#                mpirun -np 2 build/dtfl run configs/quick.yaml
#   make test    install what is missing, build, run the tests that fit in CI
# Other targets: build, deps, bench, sanitize, clean.
BUILD ?= build
JOBS ?= $(shell nproc)
CTEST_LABELS ?= unit|mpi
CTEST_EXCLUDE ?= slow|fuzz
export OMPI_ALLOW_RUN_AS_ROOT = 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = 1
export OMPI_MCA_rmaps_base_oversubscribe = 1

.PHONY: demo test build deps bench clean

deps:
	@scripts/deps.sh build data

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	mpirun -np 2 $(BUILD)/dtfl run configs/quick.yaml

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L '$(CTEST_LABELS)' -LE '$(CTEST_EXCLUDE)'

bench: build
	OPENBLAS_NUM_THREADS=1 $(BUILD)/dtfl bench train
	mpirun -np 2 $(BUILD)/dtfl bench migrate

clean:
	rm -rf $(BUILD)
