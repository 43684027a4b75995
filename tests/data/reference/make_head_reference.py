"""Write head-reference.npz: outputs of the accurate techniques head computed by PyTorch (the
training implementation, ``unspin.training.techniques_accurate._torch_head``) for fixed random
weights and inputs, for tests/test_techniques_accurate.py.

Run once with the training extra (``pip install '.[train]'``):

    python tests/data/reference/make_head_reference.py

The output is committed; the test runs unspin's numpy head (inference) on the same weights and
inputs and compares, so the check runs in CI without PyTorch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from unspin.techniques.accurate import word_paragraphs
from unspin.techniques.text import tokenize
from unspin.training.techniques_accurate import DEFAULTS, _torch_head

#: Unicode on purpose: curly quotes, an emoji and a combining accent around the words.
TEXT = "Corrupt élites 😀 betray “our” great nation!\nThe cafe\u0301 is closed.\n\nShort line."
D_IN, N_LABELS, HIDDEN = 12, 5, 16


def main() -> None:
    torch.manual_seed(0)
    net = _torch_head(torch, D_IN, N_LABELS, dict(DEFAULTS, hidden=HIDDEN)).eval()
    tk = tokenize(TEXT)
    x = np.random.default_rng(3).normal(size=(len(tk.text), D_IN)).astype(np.float32)
    par = word_paragraphs(tk)
    with torch.no_grad():
        zt, zp = net(torch.from_numpy(x), torch.from_numpy(par), len(tk.lines))
    params = {f"param.{k}": v for k, v in net.numpy_params().items()}
    target = Path(__file__).with_name("head-reference.npz")
    np.savez_compressed(target, x=x, par=par, n_par=np.array(len(tk.lines)), word_logits=zt.numpy(),
                        paragraph_logits=zp.numpy(), text=np.array(TEXT), torch=np.array(torch.__version__), **params)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
