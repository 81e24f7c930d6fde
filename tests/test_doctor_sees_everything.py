"""doctor sees every credential and URL (issue 11): stored credentials of every host inside or
outside a repository, the fetch URL as well as the push URL, secrets in insteadOf rules where they
are, one finding per configuration problem, `bbdiag.ignore`, and advice that fits this machine."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git
from tests.test_doctor import doctor, ids
from tests.test_inspector import APP_PASSWORD, repo

GITHUB_TOKEN = "ghp_" + "Zq8Lm3Xw9Rt4Pv8Tn3Yc6Hb1Jd5Gf0Sa2Ke7"


def findings(doc: dict[str, object], finding_id: str) -> list[dict[str, object]]:
    return [f for f in doc["findings"] if f["id"] == finding_id]  # type: ignore[attr-defined]


def test_outside_a_repository_every_stored_credential_is_checked(tmp_path: Path, isolated: Path) -> None:
    (isolated / ".git-credentials").write_text(f"https://jane:{APP_PASSWORD}@bitbucket.org\nhttps://octo:{GITHUB_TOKEN}@github.com\n")
    git("config", "--global", "credential.helper", "store")
    outside = tmp_path / "nowhere"
    outside.mkdir()
    code, doc, text = doctor(outside)
    assert code == 1, "a retired app password is an error wherever it is"
    assert ids(doc)["app-password-stored"] == "error"
    assert {f["title"] for f in findings(doc, "plaintext-credential")} == {
        "A plaintext file holds a credential for bitbucket.org",
        "A plaintext file holds a credential for github.com",
    }
    assert "no-problem" not in ids(doc)
    for secret in (APP_PASSWORD, GITHUB_TOKEN):
        assert secret not in text and secret not in str(doc)


def test_a_repository_whose_remote_is_elsewhere_still_sees_the_store(tmp_path: Path, isolated: Path) -> None:
    path = repo(tmp_path, url="https://gitlab.com/acme/widgets.git")
    (isolated / ".git-credentials").write_text(f"https://jane:{APP_PASSWORD}@bitbucket.org\n")
    git("config", "--global", "credential.helper", "store")
    _, doc, _ = doctor(path)
    (stored,) = findings(doc, "app-password-stored")
    assert "remote" not in stored, "no remote uses it: it is reported on its own"


def test_a_secret_in_a_global_insteadof_rule_is_fixed_where_it_is_and_said_once(tmp_path: Path, isolated: Path) -> None:
    path = repo(tmp_path, url="bb:acme/widgets.git")
    git("remote", "add", "second", "bb:acme/gadgets.git", cwd=path)
    git("config", "--global", f"url.https://jane:{APP_PASSWORD}@bitbucket.org/.insteadOf", "bb:")
    code, doc, text = doctor(path)
    assert code == 1
    (finding,) = [f for f in findings(doc, "credential-in-url") if "insteadOf" in str(f["title"])]
    assert str(isolated / ".gitconfig") in str(finding["title"])
    commands = [s.get("command") for s in finding["fix"]]  # type: ignore[attr-defined]
    assert "bbdiag fix" in commands and f"git config --file {isolated / '.gitconfig'} --edit" in commands
    assert not any(str(c).startswith("git remote set-url") for c in commands), "changing the remote leaves the secret in ~/.gitconfig"
    assert "(remotes: origin, second)" in str(finding["detail"])
    assert APP_PASSWORD not in text + str(doc)


def test_the_fetch_url_is_checked_as_well_as_the_push_url(tmp_path: Path) -> None:
    path = repo(tmp_path, url="https://jane%40example.com@bitbucket.org/acme/widgets.git")
    git("remote", "set-url", "--push", "origin", "https://jane-doe@bitbucket.org/acme/widgets.git", cwd=path)
    _, doc, _ = doctor(path)
    assert ids(doc).get("email-username") == "error", "the email in the fetch URL is found though the push URL has another name"


def test_one_finding_per_configuration_problem(tmp_path: Path) -> None:
    path = repo(tmp_path, url="https://bitbucket.org/acme/widgets.git")
    git("remote", "add", "mirror", "https://bitbucket.org/acme/mirror.git", cwd=path)
    git("config", "--global", "credential.helper", "not-installed-anywhere")
    _, doc, _ = doctor(path)
    assert len(findings(doc, "helper-not-installed")) == 1


def test_an_acknowledged_finding_is_shown_as_ignored_and_no_longer_fails(tmp_path: Path) -> None:
    path = repo(tmp_path, url="https://jane%40example.com@bitbucket.org/acme/widgets.git")
    git("config", "--global", "credential.helper", "cache")
    assert doctor(path)[0] == 1
    git("config", "bbdiag.ignore", "email-username", cwd=path)
    code, doc, text = doctor(path)
    assert code == 0
    (finding,) = findings(doc, "email-username")
    assert finding["severity"] == "info" and "[ignored: bbdiag.ignore email-username]" in str(finding["title"])
    assert "[ignored: bbdiag.ignore email-username]" in text


def test_the_recommended_helper_is_one_installed_here(tmp_path: Path, isolated: Path) -> None:
    path = repo(tmp_path, url="https://bitbucket.org/acme/widgets.git")
    (isolated / ".git-credentials").write_text(f"https://jane:{APP_PASSWORD}@bitbucket.org\n")
    git("config", "--global", "credential.helper", "store")
    _, doc, text = doctor(path)
    assert "credential.helper manager" not in text, "Git Credential Manager is not installed on this machine"
    (plaintext,) = findings(doc, "plaintext-credential")
    assert "git config --global credential.helper 'cache --timeout=86400'" in [s.get("command") for s in plaintext["fix"]]  # type: ignore[attr-defined]
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git-credential-manager").write_text("#!/bin/sh\nexit 0\n")
    (fake / "git-credential-manager").chmod(0o755)
    import os

    _, doc, text = doctor(path, env={"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    (plaintext,) = findings(doc, "plaintext-credential")
    assert "git config --global credential.helper manager" in [s.get("command") for s in plaintext["fix"]]  # type: ignore[attr-defined]
    assert "cache --timeout" not in text, "one recommendation per report"


def test_probe_stored_with_a_hanging_helper_is_bounded_and_leaves_nothing_running(tmp_path: Path, isolated: Path) -> None:
    path = repo(tmp_path, url="https://bitbucket.org/acme/widgets.git")
    for name in ("two", "three", "four"):
        git("remote", "add", name, f"https://bitbucket.org/acme/{name}.git", cwd=path)
    pids = tmp_path / "pids"
    helper = tmp_path / "hangs"
    helper.write_text(f"#!/bin/sh\necho $$ >> {pids}\nexec sleep 300\n")
    helper.chmod(0o755)
    git("config", "--global", "credential.helper", str(helper))
    _, doc, _ = doctor(path, "--probe-stored")
    assert ids(doc).get("helper-timeout") == "warning"
    assert len(pids.read_text().split()) == 2, "one probe per format doctor() runs: one ask per host, not per remote"
    for pid in pids.read_text().split():
        state = Path(f"/proc/{pid}/stat")
        assert not state.exists() or state.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"), "the helper was left running"


def test_a_secret_in_the_remote_url_is_reported_once_not_again_as_an_insteadof_rule(tmp_path: Path, isolated: Path) -> None:
    secret_url = f"https://jane:{APP_PASSWORD}@bitbucket.org/"
    path = repo(tmp_path, url=secret_url + "acme/widgets.git")
    git("config", "--global", f"url.{secret_url}.insteadOf", "bb:")  # the same secret, in a rule origin does not use
    _, doc, text = doctor(path)
    (finding,) = findings(doc, "credential-in-url")
    assert finding["title"] == "A secret is written into origin's url", "reported where it is: the remote's own URL"
    git("remote", "add", "second", "bb:acme/gadgets.git", cwd=path)  # this one does use the rule
    _, doc, _ = doctor(path)
    titles = sorted(str(f["title"]) for f in findings(doc, "credential-in-url"))
    assert titles == [f"A secret is written into a url.<base>.insteadOf rule in {isolated / '.gitconfig'}", "A secret is written into origin's url"]
    assert APP_PASSWORD not in text + str(doc)


def test_the_erase_step_names_the_stored_credentials_own_scheme_host_and_port(tmp_path: Path, isolated: Path) -> None:
    path = repo(tmp_path, url="http://bitbucket.org:8080/acme/widgets.git")
    (isolated / ".git-credentials").write_text(f"http://jane:{APP_PASSWORD}@bitbucket.org:8080\n")
    git("config", "--global", "credential.helper", "store")
    _, doc, _ = doctor(path)
    (stored,) = findings(doc, "app-password-stored")
    commands = [str(s.get("command")) for s in stored["fix"]]  # type: ignore[attr-defined]
    assert "printf 'protocol=http\\nhost=bitbucket.org:8080\\n\\n' | git credential reject" in commands
    assert not any("protocol=https" in c for c in commands)
    (plaintext,) = findings(doc, "plaintext-credential")
    erase = [str(s.get("command")) for s in plaintext["fix"] if "erase" in str(s.get("command"))]  # type: ignore[attr-defined]
    assert all("protocol=http\\nhost=bitbucket.org:8080" in c for c in erase)
    for command in commands[1:2]:  # the printed erase does what it says: the store no longer holds it
        import subprocess

        subprocess.run(command, shell=True, check=True, cwd=path, timeout=60)
    assert APP_PASSWORD not in (isolated / ".git-credentials").read_text()
