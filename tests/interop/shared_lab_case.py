"""A test class whose cases share one lab, built once in setUpClass by open_lab (cls.lab, cls.workdir).

After the last case the lab is closed; its work folder is removed unless a case failed or
CIS_KEEP_LOGS is set. At a failure the lab's logs are printed, so the cause is in CI's output."""
import os
import shutil
import tempfile
import unittest

from lab import Lab, print_logs


class SharedLabCase(unittest.TestCase):
    failed = False
    log_lines = 80  # per log, printed at a failure

    @classmethod
    def open_lab(cls, prefix):
        """Makes the work folder and the lab, then cls._build(); the lab is closed if that fails."""
        cls.workdir = tempfile.mkdtemp(prefix=prefix)
        os.chmod(cls.workdir, 0o755)
        cls.lab = Lab(cls.workdir)
        cls.failed = False
        try:
            cls._build()
        except BaseException:
            print_logs(cls.lab.logs())
            cls.lab.close()
            raise

    @classmethod
    def tearDownClass(cls):
        keep = cls.failed or os.environ.get("CIS_KEEP_LOGS")
        if keep:
            print(f"\n----- logs kept in {cls.workdir}", flush=True)
        cls.lab.close()
        if not keep:
            shutil.rmtree(cls.workdir, ignore_errors=True)

    def run(self, result=None):
        result = result or self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > before:
            type(self).failed = True
            print_logs(self.lab.logs(), max_lines=self.log_lines)
        return result
