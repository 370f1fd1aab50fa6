"""A helper process driven over a pipe: one JSON line in on its stdin, one line back on its stdout.
The fake API server (--stdin-commands) and `cluster client` both work this way, so a test needs no
network path into a namespace, and the helper exits when the test's end of the pipe closes."""
import json
import os
import queue
import subprocess
import threading


class LinePipe:
    def __init__(self, argv, stderr_path, what):
        self.what, self.stderr_path = what, stderr_path
        with open(stderr_path, "ab") as err:
            self.popen = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                          start_new_session=True)
        self._lines = queue.Queue()
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            self._lines.put(line.decode(errors="replace"))
        self._lines.put(None)

    def next_line(self, timeout, doing):
        """The next line the helper writes; AssertionError when it writes none in time or exits."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"{self.what} gave no reply to {doing} in {timeout} s; see {self.stderr_path}")
        if line is None:
            raise AssertionError(f"{self.what} exited ({self.popen.wait()}) during {doing}; see {self.stderr_path}")
        return line

    def exchange(self, request, timeout, doing):
        """Send one JSON object, return the decoded reply line."""
        with self._lock:
            self.popen.stdin.write((json.dumps(request) + "\n").encode())
            self.popen.stdin.flush()
            return json.loads(self.next_line(timeout, doing))

    def close(self, timeout=10):
        """EOF on its stdin (the helper's signal to exit), then the process group is killed if need be."""
        if self.popen.stdout.closed:
            return
        try:
            self.popen.stdin.close()
        except OSError:
            pass
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, 9)
            self.popen.wait(5)
        self.popen.stdout.close()
