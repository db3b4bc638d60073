"""Worker processes stop with their parent, and leave Ctrl-C to it.

joblib's workers outlive a parent that was killed hard (``kill -9``, an OOM kill) and go on
running their batch for minutes. The main process names itself in the environment; a worker
it started watches for being orphaned and exits, and ignores SIGINT, which the main process
turns into one line with the resume command.
"""

from __future__ import annotations

import os
import signal
import threading
import time

MAIN_PID = "WOM_SIM_MAIN_PID"
POLL_SECONDS = 0.5
_watching = False


def mark_main() -> None:
    """Call in the main process before starting workers: they inherit its pid through the environment."""
    os.environ[MAIN_PID] = str(os.getpid())
    # After Ctrl-C, loky's resource tracker (a process of its own, started after this) may warn
    # about a semaphore the interrupted executor already removed ("leaked semlock ... No such
    # file"): nothing is left behind, and the user's one line is the resume command.
    quiet = "ignore:resource_tracker:UserWarning"
    current = os.environ.get("PYTHONWARNINGS", "")
    if quiet not in current.split(","):
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [current, quiet]))


def watch_parent() -> None:
    """In a worker the main process started: exit when it dies, and ignore Ctrl-C. Idempotent.

    Does nothing in the main process itself, or in a process the main one did not start
    (a SLURM job through submitit), which must not die with a login shell.
    """
    global _watching
    try:
        main = int(os.environ.get(MAIN_PID, ""))
    except ValueError:
        return
    if _watching or os.getpid() == main or os.getppid() != main:
        return
    _watching = True
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == main:
            time.sleep(POLL_SECONDS)
        os._exit(1)  # orphaned: the sweep this work belonged to is gone

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
