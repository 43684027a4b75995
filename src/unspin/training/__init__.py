"""Training and cross-validation of the shipped models (the ``train`` extra).

Nothing on the inference path imports this package (an import-linter contract
in CI checks it): inference lives in :mod:`unspin.techniques`,
:mod:`unspin.framing` and :mod:`unspin.neural`, artifacts and their loader in
:mod:`unspin.models`. Progress is reported through :mod:`logging`.
"""
