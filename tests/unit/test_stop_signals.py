"""A stop signal whose exception Python swallowed (raised inside a ``__del__`` run by the garbage
collector) still stops the command at the next wait-loop checkpoint."""

from __future__ import annotations

import gc
import os
import signal

import pytest

from ol_platform.cli.embedded_airflow import Interrupted, raise_if_stopping, stop_on_signals


class SignalledWhileCollected:
    """An object whose finaliser is where the signal's handler happens to run."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGQUIT)


def test_a_signal_lost_in_a_finaliser_is_raised_at_the_next_checkpoint():
    with pytest.raises(Interrupted) as stopped, stop_on_signals():
        obj = SignalledWhileCollected()
        obj.cycle = obj  # only the cyclic collector frees it, inside gc.collect()
        del obj
        gc.collect()  # the handler's exception is printed as "ignored" and dropped here
        raise_if_stopping()
        pytest.fail("the lost stop signal was not raised again")
    assert stopped.value.signum == signal.SIGQUIT
    assert stopped.value.exit_code == 128 + signal.SIGQUIT


def test_outside_a_stop_block_nothing_is_pending():
    with pytest.raises(Interrupted), stop_on_signals():
        os.kill(os.getpid(), signal.SIGTERM)
    raise_if_stopping()  # the block has ended: the next command starts clean
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
