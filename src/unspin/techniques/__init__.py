"""Persuasion techniques (SemEval-2023 task 3 taxonomy): data, models, metadata.

* :mod:`.taxonomy`: the 23 techniques, their families, definitions, colours
  (``unspin/data/techniques.json``).
* :mod:`.data`: the SemEval-2023 English data read exactly (offsets are
  Python ``str`` offsets into the file as stored).
* :mod:`.fast`: the fast tier, a linear model over sparse lexical features
  (numpy only at inference).
* :mod:`.artifact`: model folders with ``meta.json`` and SHA-256 checks.
"""
