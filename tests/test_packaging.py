"""Ready to publish, and installable as the README says today: `python -m build` and `twine check`
pass, the wheel installs into a clean virtual environment and runs, and no README recipe installs
from a package index bbdiag is not on yet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_build_and_twine_check(dist: Path) -> None:
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels + sdists)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ci/{wheels[0].name}" in README, "the README's CI recipes name the wheel a build makes"


def test_the_wheel_installs_into_a_clean_venv_and_runs(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    case = ROOT / "tests" / "fixtures" / "corpus" / "cases" / "p001.txt"
    explained = subprocess.run(
        [str(env_dir / "bin" / "bbdiag"), "explain", "--no-repo", "--format", "json", str(case)], capture_output=True, text=True, timeout=120, check=False
    )
    assert explained.returncode == 0, explained.stderr
    assert '"app-password-retired"' in explained.stdout
    scanned = subprocess.run([str(env_dir / "bin" / "bbdiag"), "scan", "--format", "json", str(case)], capture_output=True, text=True, timeout=120, check=False)
    assert scanned.returncode == 0 and '"app-password-retired"' in scanned.stdout, scanned.stderr
    listed = subprocess.run([str(env_dir / "bin" / "bbdiag"), "patterns", "--check"], capture_output=True, text=True, timeout=120, check=False)
    assert listed.returncode == 0, "the pattern files and translations are in the wheel"
    if "abi3" in wheel.name:  # built with the C extension (where a compiler is): the installed bbdiag counts with it
        counting = subprocess.run(
            [str(python), "-I", "-c", "from bbdiag import prefilter; print(prefilter.count_newlines.__module__)"], capture_output=True, text=True, check=False
        )
        assert counting.stdout.strip() == "bbdiag._newlines", counting.stderr


def test_the_sdist_carries_the_extension_and_installs_without_a_compiler(dist: Path, tmp_path: Path) -> None:
    """Where no wheel fits (another OS or CPU), pip builds the sdist: with a compiler it builds the C
    extension, and where the build fails (CC=false here) bbdiag still installs, pure Python, and scans."""
    import tarfile

    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"setup.py", "bbdiag/_newlines.c", "bbdiag/_newlines.pyi"} <= names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    environment = {**os.environ, "CC": "false", "PIP_NO_CACHE_DIR": "1"}  # no cached wheel of ours with the extension in it
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(sdist)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=environment,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    counting = subprocess.run(
        [str(python), "-I", "-c", "from bbdiag import prefilter; print(prefilter.count_newlines.__name__)"], capture_output=True, text=True, check=False
    )
    assert counting.stdout.strip() == "python_count", counting.stderr
    case = ROOT / "tests" / "fixtures" / "corpus" / "cases" / "p001.txt"
    scanned = subprocess.run([str(env_dir / "bin" / "bbdiag"), "scan", "--format", "json", str(case)], capture_output=True, text=True, timeout=120, check=False)
    assert scanned.returncode == 0 and '"app-password-retired"' in scanned.stdout, scanned.stderr


def test_no_readme_recipe_installs_bbdiag_from_an_index() -> None:
    installs = re.findall(r"(?:pip|pipx) install ([^\n`]+)", README)
    assert installs
    from_index = [i for i in installs if re.match(r"['\"]?bbdiag\b", i.strip())]
    assert not from_index, f"bbdiag is not on a package index yet: {from_index}"
