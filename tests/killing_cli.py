"""``unspin`` with one more analyzer, ``kills``, that kills its own process on a marked article.

Run as a script (``python tests/killing_cli.py ingest …``): worker processes
are spawned, and a spawned process imports the parent's main script again,
so the analyzer is registered in every worker as a user's own analyzer
would be. It stands in for what no real input should do but the kernel's
out-of-memory killer or a crash in native code can: end the worker at once.
"""

from __future__ import annotations

import os
import signal
import sys

from unspin.analyzers.base import registry

MARKER = "KILL-THIS-WORKER"


class Kills:
    name = "kills"
    version = "1"

    def annotate(self, ctx) -> None:
        if MARKER in ctx.article.text:
            os.kill(os.getpid(), signal.SIGKILL)


if __name__ in ("__main__", "__mp_main__"):  # the script and its workers; not a test that imports MARKER
    registry.register("kills", requires=("entities",))(lambda options: Kills())

if __name__ == "__main__":
    from unspin.cli import main

    main(sys.argv[1:])
