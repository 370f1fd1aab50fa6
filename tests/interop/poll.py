"""Bounded polling: every wait in these tests goes through wait_for."""
import time


def wait_for(what, probe, until=bool, timeout=30.0, step=0.1):
    """Call probe() until until(value) holds, and return that value.

    An AssertionError from probe fails at once (the probe saw something that can no longer come
    right); other exceptions count as "not yet" (a router still starting). After timeout seconds,
    fail naming what we waited for and the last value seen.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = probe()
            if until(last):
                return last
        except AssertionError:
            raise
        except Exception as e:
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}; last seen: {last!r}")
        time.sleep(step)
