"""Ridge and LASSO paths with scikit-learn (Debian's python3-sklearn; a bench tool, never a product
dependency) on the exact splits `export-splits.ts` wrote. Same scalings as stdlib/baselines:
Ridge(alpha=λ): ‖y − Xw‖² + λ‖w‖²; Lasso(alpha=λ): ‖y − Xw‖²/(2n) + λ‖w‖₁; no intercept."""
import json
import sys
import warnings

import numpy as np
from sklearn.linear_model import Lasso, Ridge

warnings.filterwarnings("ignore")
src, dst = sys.argv[1], sys.argv[2]
spec = json.load(open(src))


def arrays(split):
    return np.array(split["x"], dtype=np.float64).reshape(split["n"], split["d"]), np.array(split["y"], dtype=np.float64)


out = {}
for name, prob in spec.items():
    xt, yt = arrays(prob["train"])
    xr, yr = arrays(prob["reg"])
    coefs, regs = [], []
    for lam in prob["lams"]:
        if prob["kind"] == "ridge":
            m = Ridge(alpha=lam, fit_intercept=False, solver="cholesky").fit(xt, yt)
        else:
            m = Lasso(alpha=lam, fit_intercept=False, tol=1e-12, max_iter=1_000_000).fit(xt, yt)
        coefs.append(m.coef_.tolist())
        regs.append(float(np.mean((yr - xr @ m.coef_) ** 2)))
    out[name] = {"coefs": coefs, "regMse": regs, "best": int(np.argmin(regs))}
json.dump(out, open(dst, "w"))
