#!/usr/bin/env bash
# test_gru_torch.sh TEST SRC - test_gru with PyTorch's reference: writes a
# nn.GRU's weights, inputs and outputs with experiments/tmo/gru_ref.py when
# Debian's python3-torch is there (else test_gru skips that part, saying so).
set -u
TEST=$1 SRC=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-gru-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
if /usr/bin/python3 -c "import torch" 2>/dev/null &&
    /usr/bin/python3 "$SRC/experiments/tmo/gru_ref.py" "$TMP/gru.txt"; then
    export DTFL_GRU_REF="$TMP/gru.txt"
else
    echo "no python3-torch: the PyTorch cross-check is skipped"
fi
exec "$TEST"
