"""A long-running program inside a namespace: own process group, output in a log file."""
import os
import signal
import subprocess
import threading
import time


class Process:
    def __init__(self, ns, argv, log_path):
        self.argv = argv
        self.log_path = log_path
        with open(log_path, "ab") as log:
            # A new session makes the program a process group leader, so stop() reaches its children too.
            self.popen = subprocess.Popen(ns.argv(*argv), stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)
        self.started = time.monotonic()
        self.exit_wall = None  # time.time() when the process ended, to compare with routers' log stamps
        self._exited = threading.Event()
        # A thread blocked in wait() notices the exit at once, not at the next poll.
        threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self):
        self.popen.wait()
        self.exit_wall = time.time()
        self._exited.set()

    @property
    def pid(self):
        return self.popen.pid

    def running(self):
        return not self._exited.is_set()

    @property
    def returncode(self):
        return self.popen.returncode if self._exited.is_set() else None

    def assert_running(self):
        """For wait_for probes: an AssertionError stops the wait at once, as a dead program won't come up."""
        assert self.running(), f"{self.argv[0]} exited with {self.returncode}; see {self.log_path}"
        return True

    def wait(self, timeout):
        """The exit code, or None if still running after timeout seconds."""
        self._exited.wait(timeout)
        return self.returncode

    def signal(self, signum):
        if self.running():
            try:
                os.killpg(self.popen.pid, signum)
            except ProcessLookupError:
                pass

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL if it has not gone after timeout seconds. Returns the exit code."""
        self.signal(signal.SIGTERM)
        if self.wait(timeout) is None:
            self.signal(signal.SIGKILL)
            self.wait(5)
        return self.returncode


class Adopted:
    """A Process the lab stops and shows with the rest (lab.adopt wants stop and logs)."""

    def __init__(self, title, process):
        self.title, self.process = title, process

    def stop(self):
        self.process.stop(timeout=5)

    def logs(self):
        return [(self.title, self.process.log_path)]
