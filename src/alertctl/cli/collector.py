"""When the cyclic garbage collector runs in an `alertctl` process (see `hold` and `resume`)."""

import gc
import time

_held = False
_paced = False


def hold() -> None:
    """Keep the collector off while a command imports what it needs.

    Imports build only long-lived objects (modules, classes, SQLAlchemy's and pydantic's
    tables of them), in which the collector finds nothing to free: re-walking them took a tenth
    of a short command's CPU. Called by `main` only: a process that runs commands in-process
    (the tests) keeps its collector as it is.
    """
    global _held
    _held = True
    gc.disable()


def resume() -> None:
    """Once the command's modules are loaded (when it first opens its database): set aside
    what the imports built, for good, and collect what the command builds from then on, at a
    slower pace than the default.

    A command builds large trees of plain objects that live until it ends (a configuration of
    ten thousand contacts, a feed's transaction): at the default pace, re-walking them took a
    third of an unchanged `config apply`. Reference counting still frees them at once; only
    cycles wait longer, and a long-running sender stays flat."""
    global _held, _paced
    if not _held:
        return
    _held, _paced = False, True
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    gc.enable()


# The least time between two full collections of `settle`: a sender's batch can take a few
# tens of milliseconds, about what a full collection costs.
SETTLE_SECONDS = 1.0
_settled_at = 0.0


def settle() -> None:
    """After each transaction of a long feed, or each batch of a sender.

    What it built (its session, the objects it loaded) is garbage once it commits, and some of
    it in cycles that have lived long enough to reach the oldest generation, which the slower
    pace seldom collects: a full collection here, at most once a second, keeps a feed of a
    million lines flat, the frozen imports left out of it."""
    global _settled_at
    if _paced and time.monotonic() - _settled_at >= SETTLE_SECONDS:
        gc.collect()
        _settled_at = time.monotonic()
