"""Readers of the annotated corpora the models are trained and evaluated on.

Training and evaluation read these; nothing on the inference path does.
:mod:`.semeval2023` reads SemEval-2023 task 3 (techniques, genre, frames),
:mod:`.framing` the genre/frame labels and SemEval-2025 task 10 (narratives,
entity roles), :mod:`.splits` defines the forward (newer-articles) splits.
"""
