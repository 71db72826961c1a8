#!/usr/bin/python3
# tanh_fit.py - how the tanh of fl/layers.c was fitted: tanh(x) ~ x P(x^2) /
# Q(x^2) on |x| <= 7.9, nonlinear least squares of the relative error
# (scipy), then checked evaluated in float32. Prints the coefficients.
import numpy as np
from scipy.optimize import least_squares
x = np.concatenate([np.linspace(1e-3, 7.9, 20000), np.geomspace(1e-7, 1e-3, 100)])
t = np.tanh(x); z = x*x
def model(c, zz, xx):
    P = c[:7]; Q = np.concatenate([[1.0], c[7:]])
    return xx*np.polyval(P[::-1], zz)/np.polyval(Q[::-1], zz)
def resid(c): return (model(c, z, x) - t)/t
# start: Taylor-ish Pade guess
c0 = np.array([1.0, 0.5, 0.02, 1e-4, 1e-6, 1e-8, 1e-10, 0.83, 0.08, 0.001])
best=None
for scale in [1.0]:
    r = least_squares(resid, c0, x_scale='jac', max_nfev=20000, xtol=1e-15, ftol=1e-15, gtol=1e-15)
    best = r.x
print("double max rel", np.max(np.abs(resid(best))))
c32 = best.astype(np.float32)
xf = x.astype(np.float32); zf = xf*xf
P = c32[:7]; Q = np.concatenate([[np.float32(1)], c32[7:]])
pf = np.float32(0)
for k in P[::-1]: pf = np.float32(pf*zf + k)
qf = np.float32(0)
for k in Q[::-1]: qf = np.float32(qf*zf + k)
af = (xf*pf/qf).astype(np.float64)
print("float32 max abs", np.max(np.abs(af - t)), "max rel", np.max(np.abs(af-t)/t))
print("c =", ", ".join("%.9e" % v for v in best))
