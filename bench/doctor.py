"""`bbdiag doctor` on a repository without problems, as a ratio to `bbdiag --version`.

Target (issue 3): under 3x. Both run on the same interpreter, alternately; medians compared.
Run: python bench/doctor.py
"""

from __future__ import annotations

import os
import subprocess
import tempfile

from common import bbdiag_command, compile_package, isolated_env, medians, run

RUNS = int(os.environ.get("BENCH_RUNS", "21"))


def main() -> int:
    compile_package()
    with tempfile.TemporaryDirectory() as home:
        env = isolated_env(home)
        repository = f"{home}/repo"
        subprocess.run(["git", "init", "-q", repository], env=env, check=True)
        subprocess.run(["git", "-C", repository, "remote", "add", "origin", "https://bitbucket.org/acme/widgets.git"], env=env, check=True)
        subprocess.run(["git", "config", "--global", "credential.helper", "cache"], env=env, check=True)
        doctor = [*bbdiag_command(), "doctor", "--format", "text"]
        version = [*bbdiag_command(), "--version"]
        a, b = medians(lambda: run(doctor, repository, env)[0], lambda: run(version, repository, env)[0], RUNS)
    print(f"bbdiag doctor (healthy repository): {a * 1000:.1f} ms; bbdiag --version: {b * 1000:.1f} ms; ratio {a / b:.2f}x (target < 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
