"""bbdiag in git's path never hurts the user's git (issue 10): real git, real pre-commit, real
git-lfs, a hostile repository, and bbdiag uninstalled or its virtualenv deleted."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests import bitbucket_server as bb
from tests.conftest import git

BBDIAG = [sys.executable, "-I", "-m", "bbdiag"]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
TOKEN = "ghp_" + "Zx8Kq2Lm7Wn4Rt6Yb1Vc9Hd3Jf5Gs0Ap2Ue7"  # a GitHub-shaped token, invented


def bbdiag(*args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*BBDIAG, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    assert not check or done.returncode == 0, done.stdout + done.stderr
    return done


def push(clone: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "push", *args], cwd=clone, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of a local bare repository, one commit already pushed."""
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(remote))
    work = tmp_path / "clone"
    git("clone", "-q", str(remote), str(work))
    git("checkout", "-q", "-b", "main", cwd=work)
    (work / "README").write_text("hello\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    git("branch", "-q", "--set-upstream-to", "origin/main", cwd=work)
    return work


def commit(clone: Path, name: str, text: str) -> str:
    (clone / name).write_text(text)
    git("add", name, cwd=clone)
    git("commit", "-q", "-m", f"add {name}", cwd=clone)
    return git("rev-parse", "HEAD", cwd=clone).stdout.strip()


def remote_head(clone: Path) -> str:
    return git("ls-remote", "origin", "main", cwd=clone).stdout.split()[0]


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


# ------------------------------------------------------------------------------ 1. a hostile repository
def hostile(work: Path, marker: Path) -> dict[str, str]:
    """Plant code that would run if bbdiag's entry points looked at the current directory or PYTHON*."""
    touch = f"open({str(marker)!r}, 'a').write('ran\\n')\n"
    (work / "bbdiag").mkdir()
    (work / "bbdiag" / "__init__.py").write_text(touch)
    (work / "bbdiag" / "__main__.py").write_text(touch)
    (work / "sitecustomize.py").write_text(touch)
    (work / "usercustomize.py").write_text(touch)
    (work / "evil.pth").write_text(f"import os; {touch}")
    (work / "startup.py").write_text(touch)
    return {**os.environ, "PYTHONPATH": str(work), "PYTHONSTARTUP": str(work / "startup.py"), "PYTHONHOME": ""}


def test_a_hostile_repository_runs_none_of_its_code(clone: Path, tmp_path: Path) -> None:
    marker = tmp_path / "hostile-code-ran"
    bbdiag("install", cwd=clone)  # the hook and the observer
    env = hostile(clone, marker)
    env.pop("PYTHONHOME")
    commit(clone, "change.txt", "a change\n")
    pushed = push(clone, env=env)
    assert pushed.returncode == 0, pushed.stderr
    assert remote_head(clone) == git("rev-parse", "HEAD", cwd=clone).stdout.strip()
    filled = subprocess.run(
        ["git", "credential", "fill"], cwd=clone, input="protocol=https\nhost=example.com\nusername=u\npassword=p\n\n", env=env, capture_output=True, text=True
    )
    assert filled.returncode == 0 and "password=p" in filled.stdout and filled.stderr == ""
    shell = bbdiag("shell-init", "bash", cwd=tmp_path).stdout
    wrapped = subprocess.run(["bash", "-c", shell + "\ngit fetch origin && git push origin main"], cwd=clone, env=env, capture_output=True, text=True)
    assert wrapped.returncode == 0, wrapped.stderr
    assert not marker.exists(), "code from the repository ran"


# ------------------------------------------------------------------------------ 2, 11. the chained hook
def test_a_kept_hook_gets_gits_exact_input_under_its_own_name(clone: Path, tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    hooks = clone / ".git" / "hooks"
    executable(
        hooks / "pre-push",
        f'#!/bin/sh\ncat > {seen}.input\nbasename "$0" > {seen}.name\n[ -f "$(dirname "$0")/neighbour" ] && echo found > {seen}.neighbour\nexit 0\n',
    )
    (hooks / "neighbour").write_text("husky keeps its helper beside its hooks\n")
    bbdiag("install", "--hook", cwd=clone)
    assert push(clone).returncode == 0  # nothing to push: git gives no input at all
    assert Path(f"{seen}.input").read_bytes() == b""
    assert Path(f"{seen}.name").read_text() == "pre-push\n" and Path(f"{seen}.neighbour").exists()
    new = commit(clone, "x.txt", "x\n")
    assert push(clone).returncode == 0
    assert Path(f"{seen}.input").read_text().endswith(f"refs/heads/main {new} refs/heads/main {git('rev-parse', 'HEAD~1', cwd=clone).stdout.strip()}\n")


def pre_commit_pre_push(clone: Path, hook_id: str) -> None:
    """pre-commit's own pre-push hook installed, running one local hook that always passes."""
    (clone / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: local\n  hooks:\n  - id: {hook_id}\n    name: {hook_id}\n    entry: 'true'\n    language: system\n    stages: [pre-push]\n    always_run: true\n    pass_filenames: false\n"
    )
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "pre-commit", cwd=clone)
    subprocess.run([*PRE_COMMIT, "install", "--hook-type", "pre-push"], cwd=clone, check=True, capture_output=True)


def test_under_pre_commit_an_up_to_date_push_works(clone: Path) -> None:
    pre_commit_pre_push(clone, "nothing")
    bbdiag("install", "--hook", cwd=clone)
    assert push(clone).returncode == 0
    done = push(clone)  # up to date: empty input must stay empty
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_reinstall_and_uninstall_keep_lines_the_user_added(clone: Path) -> None:
    bbdiag("install", "--hook", cwd=clone)
    hook = clone / ".git" / "hooks" / "pre-push"
    hook.write_text(hook.read_text().replace('cat > "$input"\n', 'cat > "$input"\necho my own line\n'))
    edited = hook.read_text()
    again = bbdiag("install", "--hook", cwd=clone, check=False)
    assert again.returncode == 2 and "lines added or changed by you" in again.stderr and hook.read_text() == edited
    removed = bbdiag("uninstall", "--hook", cwd=clone)
    assert "left" in removed.stdout and hook.read_text() == edited


def test_uninstall_after_pre_commit_reinstalled_over_bbdiag(clone: Path) -> None:
    hooks = clone / ".git" / "hooks"
    mine = executable(hooks / "pre-push", "#!/bin/sh\nexit 0\n").read_text()
    bbdiag("install", "--hook", cwd=clone)
    (clone / ".pre-commit-config.yaml").write_text("repos: []\n")
    subprocess.run([*PRE_COMMIT, "install", "--hook-type", "pre-push"], cwd=clone, check=True, capture_output=True)
    assert "bbdiag-hook" in (hooks / "pre-push.legacy").read_text()
    bbdiag("uninstall", "--hook", cwd=clone)
    assert not (hooks / "pre-push.bbdiag-chained").exists()
    assert (hooks / "pre-push.legacy").read_text() == mine, "pre-commit runs the user's own hook again"
    assert "File generated by pre-commit" in (hooks / "pre-push").read_text()


def test_a_plain_install_never_writes_into_the_global_hooks_folder(clone: Path, tmp_path: Path) -> None:
    mine = tmp_path / "my-hooks"
    executable(mine / "pre-push", "#!/bin/sh\nexit 0\n")
    git("config", "--global", "core.hooksPath", str(mine))
    done = bbdiag("install", "--hook", cwd=clone, check=False)
    assert done.returncode == 2 and "--global" in done.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["pre-push"]


# ------------------------------------------------------------------------------ 3, 8. what is checked and allowed
def pre_commit_repo(clone: Path) -> None:
    entry = f"{sys.executable} -I -m bbdiag hook pre-push --pre-commit"
    (clone / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: local\n  hooks:\n  - id: bbdiag-pre-push\n    name: bbdiag\n    entry: {entry}\n    language: system\n"
        "    stages: [pre-push]\n    always_run: true\n    pass_filenames: false\n"
    )
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "pre-commit config", cwd=clone)


def test_pre_commit_run_with_revisions_checks_them(clone: Path) -> None:
    pre_commit_repo(clone)
    commit(clone, "settings.py", f"TOKEN = '{TOKEN}'\n")
    run = [*PRE_COMMIT, "run", "--hook-stage", "pre-push"]
    done = subprocess.run([*run, "--from-ref", "HEAD~1", "--to-ref", "HEAD"], cwd=clone, capture_output=True, text=True)
    assert done.returncode == 1 and "adds a GitHub token in settings.py:1" in done.stdout and TOKEN not in done.stdout
    env = {**os.environ, "PRE_COMMIT_REMOTE_NAME": "origin", "PRE_COMMIT_FROM_REF": "no-such-ref", "PRE_COMMIT_TO_REF": "HEAD"}
    bad = subprocess.run([*BBDIAG, "hook", "pre-push", "--pre-commit"], cwd=clone, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "NOT checked" in bad.stderr, "a range that cannot be read never passes as checked"


def test_pre_commit_push_of_two_refs_checks_the_second(clone: Path) -> None:
    pre_commit_repo(clone)
    subprocess.run([*PRE_COMMIT, "install", "--hook-type", "pre-push"], cwd=clone, check=True, capture_output=True)
    git("push", "-q", "--no-verify", cwd=clone)
    git("branch", "-q", "aaa-clean", cwd=clone)
    commit(clone, "notes.txt", "clean\n")
    git("checkout", "-q", "-b", "zzz-secret", cwd=clone)
    commit(clone, "k.txt", f"{TOKEN}\n")
    git("checkout", "-q", "main", cwd=clone)
    done = push(clone, "origin", "main", "zzz-secret")
    assert done.returncode != 0 and "adds a GitHub token in k.txt:1" in done.stdout + done.stderr


@pytest.mark.parametrize("breakage", ["unparsable", "include-cycle", "missing-include"])
def test_a_broken_config_never_turns_off_the_content_check(clone: Path, isolated: Path, breakage: str) -> None:
    """git refuses to push with these itself; CI and pre-commit's own runs still call the check."""
    commit(clone, "k.txt", f"{TOKEN}\n")
    global_config = isolated / ".gitconfig"
    if breakage == "unparsable":
        global_config.write_text("[core\n\tbroken = \n")
    elif breakage == "include-cycle":
        global_config.write_text(f"[include]\n\tpath = {global_config}\n")
    else:
        global_config.write_text('[include]\n\tpath = /nonexistent/config\n[includeIf "gitdir:/"]\n\tpath = /nonexistent/too\n')
    env = {
        **os.environ,
        "PRE_COMMIT_REMOTE_NAME": "origin",
        "PRE_COMMIT_TO_REF": git("rev-parse", "HEAD", cwd=clone, env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null"}).stdout.strip(),
    }
    done = subprocess.run([*BBDIAG, "hook", "pre-push", "--pre-commit"], cwd=clone, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "adds a GitHub token in k.txt:1" in done.stderr, done.stderr


def test_a_gitlink_in_the_pushed_range_is_read_past(clone: Path) -> None:
    bbdiag("install", "--hook", cwd=clone)
    before = remote_head(clone)
    commit(clone, "k.txt", f"{TOKEN}\n")
    git("update-index", "--add", "--cacheinfo", "160000,1234567890abcdef1234567890abcdef12345678,vendor/lib", cwd=clone)
    git("commit", "-q", "-m", "submodule bump", cwd=clone)
    done = push(clone)
    assert done.returncode != 0 and "adds a GitHub token in k.txt:1" in done.stderr, done.stderr
    assert remote_head(clone) == before


def test_placeholders_allow_comments_and_ignore_files(clone: Path) -> None:
    bbdiag("install", "--hook", cwd=clone)
    commit(clone, "example.env", "GITHUB_TOKEN=ghp_" + "X" * 36 + "\nGITLAB=glpat-" + "x" * 20 + "\n")
    commit(clone, "fixture.py", f"TOKEN = '{TOKEN}'  # bbdiag:allow (a revoked token, kept as a test fixture)\n")
    commit(clone, "other.py", f"TOKEN = '{TOKEN}'  # gitleaks:allow\n")
    assert push(clone).returncode == 0
    sha = commit(clone, "reviewed.txt", f"{TOKEN}\n")
    blocked = push(clone)
    assert blocked.returncode != 0
    assert "git commit --amend" in blocked.stderr and "git rebase -i" in blocked.stderr and f"{sha}:reviewed.txt:1" in blocked.stderr
    (clone / ".bbdiagignore").write_text(f"# reviewed on 2026-11-28: not a live token\n{sha}:reviewed.txt:1\n")
    assert push(clone).returncode == 0


# ------------------------------------------------------------------------------ 4, 5. folders that are not bbdiag's
def test_a_committed_hooks_folder_is_never_edited(clone: Path) -> None:
    team = executable(clone / ".githooks" / "pre-push", "#!/bin/sh\necho team hook\n")
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "team hooks", cwd=clone)
    git("config", "core.hooksPath", ".githooks", cwd=clone)
    done = bbdiag("install", "--hook", cwd=clone, check=False)
    assert done.returncode == 2 and 'bbdiag hook pre-push "$@"' in done.stderr
    assert team.read_text() == "#!/bin/sh\necho team hook\n" and sorted(p.name for p in team.parent.iterdir()) == ["pre-push"]
    assert git("status", "--porcelain", cwd=clone).stdout == ""
    lines = done.stderr[done.stderr.index("# bbdiag's pre-push preflight") :]  # what the user adds to the team's hook
    team.write_text("#!/bin/sh\n" + lines + "echo team hook\n")
    commit(clone, "k.txt", f"{TOKEN}\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    blocked = push(clone, env=env)
    assert blocked.returncode != 0 and "adds a GitHub token in k.txt:1" in blocked.stderr, blocked.stderr


def test_global_install_keeps_server_side_hooks_and_update_instead(clone: Path, tmp_path: Path) -> None:
    done = bbdiag("install", "--hook", "--global", cwd=tmp_path)
    assert "pre-commit" in done.stdout and "husky" in done.stdout
    hooks = Path(git("config", "--global", "--get", "core.hooksPath").stdout.strip())
    assert (hooks / "pre-auto-gc").exists() and (hooks / "pre-receive").exists()
    server = tmp_path / "remote.git"
    executable(server / "hooks" / "pre-receive", "#!/bin/sh\necho 'server says no' >&2\nexit 1\n")
    commit(clone, "x.txt", "x\n")
    refused = push(clone)
    assert refused.returncode != 0 and "server says no" in refused.stderr
    (server / "hooks" / "pre-receive").unlink()
    deploy = tmp_path / "deploy"
    git("clone", "-q", str(server), str(deploy))
    git("config", "receive.denyCurrentBranch", "updateInstead", cwd=deploy)
    git("remote", "add", "deploy", str(deploy), cwd=clone)
    assert push(clone, "deploy", "main").returncode == 0
    assert (deploy / "x.txt").read_text() == "x\n", "updateInstead updated the work tree"


# ------------------------------------------------------------------------------ 6. the observer speaks only for git's own erase
def test_observer_is_silent_for_someone_elses_reject(clone: Path) -> None:
    bbdiag("install", "--credential-observer", cwd=clone)
    done = subprocess.run(
        ["git", "credential", "reject"],
        cwd=clone,
        input=f"protocol=https\nhost=bitbucket.org\nusername=jane\npassword={bb.APP_PASSWORD}\n\n",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.parametrize("password", ["hunter2-plain", "p@ss:w/rd%41x", "BBDC-" + "Mz9Qx2Lk7Wn4Rt6Yb1Vc9Hd3Jf5Gs0Ap2Ue7Xy"])
def test_observer_never_prints_what_git_sent_as_the_password(password: str) -> None:
    from urllib.parse import quote

    for user in ("jane", password, f"jane:{password}", quote(password, safe="")):
        request = f"protocol=https\nhost=git.example.com\nusername={user}\npassword={password}\nwwwauth[]=Basic realm=x\n\n"
        done = subprocess.run([*BBDIAG[:-1], "bbdiag.observer", "erase"], input=request, capture_output=True, text=True)
        assert done.returncode == 0 and "rejected the credential" in done.stderr
        assert password not in done.stderr and quote(password, safe="") not in done.stderr


def test_observer_shows_escapes_in_the_user_name() -> None:
    request = "protocol=https\nhost=git.example.com\nusername=ja\x1b]0;pwned\x07\u202ene\nwwwauth[]=Basic realm=x\n\n"
    done = subprocess.run([*BBDIAG[:-1], "bbdiag.observer", "erase"], input=request, capture_output=True, text=True)
    # Shown as explain shows it (git's quote_c_style), so one user name reads the same everywhere.
    # A right-to-left override (U+202E) would reorder the line on screen: it is escaped too.
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr and "ja\\033]0;pwned\\a\\342\\200\\256ne" in done.stderr


# ------------------------------------------------------------------------------ 7. printed commands do what they say
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:7990/scm/proj/repo.git", "https://git.example.com:8443/team/repo.git", "http://git.example.com/team/repo.git"]
)
def test_the_forget_step_erases_the_stored_credential(url: str, isolated: Path, tmp_path: Path) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    store = isolated / ".git-credentials"
    store.write_text(f"{parts.scheme}://jane:secret-pass@{parts.netloc}\nhttps://jane:other@unrelated.example.com\n")
    git("config", "--global", "credential.helper", "store")
    transcript = f"fatal: Authentication failed for '{url}/'\n"
    done = subprocess.run([*BBDIAG, "explain", "--no-repo", "--format", "json", "-"], input=transcript, capture_output=True, text=True, cwd=tmp_path)
    report = json.loads(done.stdout)
    commands = [s["command"] for s in report["diagnoses"][0]["remedy"] if "credential reject" in s.get("command", "")]
    assert commands, report
    subprocess.run(["sh", "-c", commands[0]], check=True, cwd=tmp_path)
    assert store.read_text() == "https://jane:other@unrelated.example.com\n", f"{commands[0]} erased nothing"


# ------------------------------------------------------------------------------ 9. signals
def test_run_dies_by_the_signal_that_ended_the_command(tmp_path: Path) -> None:
    done = subprocess.run([*BBDIAG, "run", "--", "sh", "-c", "kill -INT $$"], cwd=tmp_path, capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGINT
    # Ctrl-C: the terminal sends SIGINT to the whole foreground group, the shell included.
    loop = subprocess.Popen(
        ["bash", "-c", f"for i in 1 2 3; do {' '.join(BBDIAG)} run -- sleep 30; echo next; done"], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    import time

    time.sleep(3)
    os.killpg(loop.pid, signal.SIGINT)
    out, _ = loop.communicate(timeout=60)
    assert "next" not in out, "a shell loop stops at Ctrl-C, as it does for git"


def test_run_json_goes_to_stdout_or_a_file(tmp_path: Path) -> None:
    script = "echo \"fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'\" >&2; exit 128"
    done = subprocess.run([*BBDIAG, "run", "--format", "json", "--", "sh", "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 128 and json.loads(done.stdout)["diagnoses"][0]["cause"] == "credentials-rejected"
    assert done.stderr.strip() == "fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'"
    out = tmp_path / "report.json"
    done = subprocess.run([*BBDIAG, "run", "--format", "json", "--output", str(out), "--", "sh", "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout == "" and json.loads(out.read_text())["diagnoses"]


# ------------------------------------------------------------------------------ 10. git-lfs
def lfs_commit(clone: Path) -> str:
    git("lfs", "track", "*.bin", cwd=clone)
    (clone / "big.bin").write_bytes(os.urandom(2048))
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "lfs", cwd=clone)
    return git("lfs", "ls-files", "--long", cwd=clone).stdout.split()[0]


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed (.ci/run installs it where it may)")
@pytest.mark.parametrize("first", ["git-lfs", "bbdiag"])
def test_git_lfs_and_bbdiag_both_run(clone: Path, tmp_path: Path, first: str) -> None:
    if first == "git-lfs":
        git("lfs", "install", "--local", cwd=clone)
        bbdiag("install", "--hook", cwd=clone)
    else:
        bbdiag("install", "--hook", cwd=clone)
        assert git("lfs", "install", "--local", cwd=clone, check=False).returncode != 0  # git-lfs refuses beside another hook
        git("config", "--global", "filter.lfs.process", "git-lfs filter-process")
        git("config", "--global", "filter.lfs.required", "true")
    oid = lfs_commit(clone)
    commit(clone, "k.txt", f"{TOKEN}\n")
    assert "adds a GitHub token" in push(clone).stderr, "bbdiag's check ran"
    git("reset", "-q", "--hard", "HEAD~1", cwd=clone)
    done = push(clone)
    assert done.returncode == 0, done.stderr
    stored = list((tmp_path / "remote.git" / "lfs" / "objects").rglob("*"))
    assert any(p.name.startswith(oid[:10]) for p in stored), "git-lfs's pre-push sent the object"


# ------------------------------------------------------------------------------ 12. bbdiag gone: git works as before
def throwaway_bbdiag(root: Path) -> Path:
    """bbdiag installed (not editable) in a virtualenv of its own; its dependencies come from ours."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site = Path(
        subprocess.run(
            [str(root / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n" + sysconfig.get_path("platlib") + "\n")
    shutil.copytree(Path(__file__).parent.parent / "bbdiag", site / "bbdiag", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "bbdiag-0.1.0.dist-info").mkdir()
    (site / "bbdiag-0.1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: bbdiag\nVersion: 0.1.0\n")
    return root / "bin" / "python"


@pytest.mark.parametrize("removal", ["uninstalled", "venv-deleted"])
def test_git_works_as_before_once_bbdiag_is_gone(server: bb.Server, tmp_path: Path, isolated: Path, removal: str) -> None:
    python = throwaway_bbdiag(tmp_path / "venv")
    url = "http://bitbucket.org/acme/widgets.git"
    git_args = server.git_args()
    (isolated / ".git-credentials").write_text(f"http://{bb.USER}:{bb.API_TOKEN}@bitbucket.org\n")
    work = tmp_path / "work"
    git("init", "-q", str(work))
    subprocess.run([str(python), "-I", "-m", "bbdiag", "install", "--credential-observer", "--global"], cwd=work, check=True, capture_output=True)
    git("config", "--global", "--add", "credential.helper", "store")  # the observer comes first in the chain
    shell = subprocess.run([str(python), "-I", "-m", "bbdiag", "shell-init", "bash"], capture_output=True, text=True, check=True).stdout
    clone = tmp_path / "clone"
    first = subprocess.run(["bash", "-c", shell + f"\ngit {' '.join(git_args)} clone -q {url} {clone}"], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    subprocess.run([str(python), "-I", "-m", "bbdiag", "install", "--hook"], cwd=clone, check=True, capture_output=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True).stdout.strip())
    if removal == "uninstalled":
        shutil.rmtree(site / "bbdiag")
        shutil.rmtree(site / "bbdiag-0.1.0.dist-info")
    else:
        shutil.rmtree(tmp_path / "venv")
    git("commit", "-q", "--allow-empty", "-m", "after bbdiag", cwd=clone)
    script = shell + (
        f"\nset -e\ngit {' '.join(git_args)} fetch -q origin\ngit {' '.join(git_args)} push -q origin HEAD:main\n"
        f"git {' '.join(git_args)} clone -q {url} {tmp_path / 'again'}\n"
        "printf 'protocol=https\\nhost=new.example.com\\nusername=u\\npassword=p\\n\\n' | git credential approve\n"
        "printf 'protocol=https\\nhost=new.example.com\\n\\n' | git credential fill\n"
    )
    done = subprocess.run(["bash", "-c", script], cwd=clone, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "password=p" in done.stdout
    said = [line for line in done.stderr.splitlines() if not line.startswith("bbdiag: pre-push check skipped: bbdiag is no longer installed")]
    assert not any("bbdiag" in line for line in said), done.stderr
    assert "Traceback" not in done.stderr and "No module named" not in done.stderr and "not found" not in done.stderr


# ------------------------------------------------------------------------------ the observer uses the diagnosis and remedy stages
def test_observer_diagnoses_the_event_like_any_failure(tmp_path: Path) -> None:
    """No cause table of its own: the host comes from the URL (a Data Center port), the remedy from
    the host's module with the kind of secret as a fact, and its forget step erases exactly that remote."""
    cases = {
        f"protocol=https\nhost=bitbucket.org\nusername=jane\npassword={bb.APP_PASSWORD}\n": "Bitbucket Cloud no longer accepts app passwords",
        "protocol=http\nhost=git.corp.example:7990\npath=scm/p/r.git\nusername=jane\npassword=hunter22\n": "host=git.corp.example:7990",
        "protocol=https\nhost=github.com\nusername=octocat\npassword=hunter22\n": "GitHub does not accept account passwords for Git",
    }
    for request, expected in cases.items():
        done = subprocess.run(
            [*BBDIAG[:-1], "bbdiag.observer", "erase"], input=request + "wwwauth[]=Basic realm=x\n\n", capture_output=True, text=True, cwd=tmp_path
        )
        assert expected in " ".join(done.stderr.split()), done.stderr


def test_doctor_reports_a_repository_that_bypasses_the_global_hook(clone: Path, tmp_path: Path) -> None:
    bbdiag("install", "--hook", "--global", cwd=tmp_path)
    quiet = json.loads(bbdiag("doctor", "--format", "json", cwd=clone, check=False).stdout)
    assert "bbdiag-hook-bypassed" not in {f["id"] for f in quiet["findings"]}
    git("config", "core.hooksPath", ".husky/_", cwd=clone)  # what husky sets
    found = json.loads(bbdiag("doctor", "--format", "json", cwd=clone, check=False).stdout)
    assert "bbdiag-hook-bypassed" in {f["id"] for f in found["findings"]}


def test_an_upgrade_keeps_the_integrations_working(clone: Path, tmp_path: Path) -> None:
    """They look bbdiag up when they run, not by the files of the version that installed them."""
    python = throwaway_bbdiag(tmp_path / "venv")
    subprocess.run([str(python), "-I", "-m", "bbdiag", "install", "--hook"], cwd=clone, check=True, capture_output=True)
    site = next((tmp_path / "venv").rglob("bbdiag-0.1.0.dist-info"))
    site.rename(site.with_name("bbdiag-0.2.0.dist-info"))
    commit(clone, "k.txt", f"{TOKEN}\n")
    done = push(clone)
    assert done.returncode != 0 and "adds a GitHub token in k.txt:1" in done.stderr, done.stderr


def test_a_hook_from_before_the_checksum_is_replaced(clone: Path) -> None:
    hook = executable(
        clone / ".git" / "hooks" / "pre-push",
        "#!/bin/sh\n# bbdiag-hook v1: installed by `bbdiag install --hook`; `bbdiag uninstall` removes it\ninput=$(cat)\n",
    )
    done = bbdiag("install", "--hook", cwd=clone)
    assert "updated the pre-push hook" in done.stdout and "bbdiag-checksum" in hook.read_text()


def test_placeholders_are_told_from_tokens() -> None:
    from bbdiag.hooks import is_placeholder

    assert is_placeholder("ghp_" + "X" * 36) and is_placeholder("glpat-" + "x" * 20) and is_placeholder("ghp_EXAMPLEexampleEXAMPLEexample0000000")
    assert not is_placeholder(TOKEN) and not is_placeholder(bb.APP_PASSWORD) and not is_placeholder("ghp_" + "Zx8Kq2fakeLm7Wn4Rt6Yb1Vc9Hd3Jf5Gs0Ap")


def test_pre_commit_then_bbdiag_then_pre_commit_again(clone: Path) -> None:
    pre_commit_pre_push(clone, "mark")
    bbdiag("install", "--hook", cwd=clone)
    subprocess.run([*PRE_COMMIT, "install", "--hook-type", "pre-push"], cwd=clone, check=True, capture_output=True)
    commit(clone, "k.txt", f"{TOKEN}\n")
    blocked = push(clone)
    assert blocked.returncode != 0 and "adds a GitHub token" in blocked.stderr and "migration mode" not in blocked.stdout + blocked.stderr
    git("reset", "-q", "--hard", "HEAD~1", cwd=clone)
    done = push(clone)
    assert done.returncode == 0 and "mark" in done.stdout + done.stderr, done.stdout + done.stderr
    bbdiag("uninstall", "--hook", cwd=clone)
    hooks = clone / ".git" / "hooks"
    assert not (hooks / "pre-push.legacy").exists() and not (hooks / "pre-push.bbdiag-chained").exists()
    commit(clone, "later.txt", "later\n")
    later = push(clone)
    assert later.returncode == 0 and "mark" in later.stdout + later.stderr, later.stdout + later.stderr
