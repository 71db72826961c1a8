#!/usr/bin/env python3
"""gru_ref.py OUT - a PyTorch nn.GRU (4 inputs, 5 units, one layer) with
seeded weights run on a seeded sequence (6 steps, batch 3); writes OUT as
whitespace-separated floats: the weights in PyTorch's order (weight_ih_l0,
weight_hh_l0, bias_ih_l0, bias_hh_l0), the inputs (step, batch, input) and
the outputs h (step, batch, unit). tests/test_gru.c reads it (DTFL_GRU_REF)
and checks that dtfl's GRU gives PyTorch's outputs. Debian's python3-torch.
"""
import sys

import torch

torch.manual_seed(7)
gru = torch.nn.GRU(input_size=4, hidden_size=5, num_layers=1)
x = torch.rand(6, 3, 4) * 2 - 1
with torch.no_grad():
    h, _ = gru(x)
vals = []
for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
    vals += getattr(gru, name).detach().reshape(-1).tolist()
vals += x.reshape(-1).tolist() + h.reshape(-1).tolist()
with open(sys.argv[1], "w") as f:
    f.write(" ".join(repr(v) for v in vals) + "\n")
