"""Issue 13, clients and wrappers: what Git Credential Manager and the tools that run git (Composer,
go) print, diagnosed end to end, with git's own lines present and absent. Each text comes from the
program's source (the pattern files cite it); these tests check the diagnosis each one leads to."""

from __future__ import annotations

from pathlib import Path

from bbdiag import pipeline
from tests.conftest import only_diagnosis

GCM_TRACE = (
    "10:41:30.901094 ...\\Application.cs:78 trace: [RunInternalAsync] Git Credential Manager version 2.4.1+a7a9d8b (Linux, .NET 7.0)\n"
    "10:41:31.101094 ...etBucketHostProvider.cs:441 trace: [ValidateCredentialsWork] Failed to validate existing credentials using Basic Auth\n"
    "10:41:31.101094 ...etBucketHostProvider.cs:442 trace: [ValidateCredentialsWork] ! error: 'Failed to resolve username. HTTP: Unauthorized'.\n"
    "10:41:31.201094 ...etBucketHostProvider.cs:150 trace: [GetRefreshedCredentials] Prompt for credentials...\n"
)


def test_a_gcm_trace_of_a_stale_stored_credential_that_cannot_be_asked_again_blames_the_stored_one() -> None:
    text = GCM_TRACE + (
        "fatal: Cannot prompt because user interactivity has been disabled.\n"
        "fatal: could not read Username for 'https://bitbucket.org': terminal prompts disabled\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("credentials-rejected", "bitbucket-cloud")
    assert {h.pattern.id for h in only.evidence} >= {"gcm-stored-credential-invalid", "gcm-failed-to-resolve-username", "gcm-cannot-prompt"}


def test_a_gcm_trace_that_ends_in_a_push_that_went_through_is_no_failure() -> None:
    text = GCM_TRACE + "To https://bitbucket.org/acme/app.git\n   1a2b3c4..5d6e7f8  main -> main\n"
    assert pipeline.diagnose_text(text).diagnoses == []


def test_gcm_without_a_usable_credential_store_is_the_helper_failing_not_the_credential() -> None:
    text = (
        "fatal: No credential store has been selected.\n"
        "\n"
        "Set the GCM_CREDENTIAL_STORE environment variable or the credential.credentialStore Git configuration setting to one of the following options:\n"
        "\n"
        "  secretservice : freedesktop.org Secret Service (requires graphical interface)\n"
        "\n"
        "See https://aka.ms/gcm/credstores for more information.\n"
        "fatal: could not read Username for 'https://github.com': No such device or address\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host, only.primary.pattern.id) == ("credential-helper-failed", "github", "gcm-credential-store-unusable")


def test_gcm_refusing_plain_http_says_the_remote_url_is_wrong_not_the_credential() -> None:
    text = (
        "fatal: Unencrypted HTTP is not recommended for GitHub. Ensure the repository remote URL is using HTTPS "
        "or see https://aka.ms/gcm/unsaferemotes about how to allow unsafe remotes.\n"
        "fatal: could not read Username for 'http://github.com': terminal prompts disabled\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("remote-misconfigured", "github")


def test_composer_without_git_lines_still_names_the_cause_and_the_host() -> None:
    text = (
        "    Failed to download acme/private from dist: Could not authenticate against github.com\n"
        "    Now trying to download from source\n"
        "Failed to clone the git@github.com:acme/private.git repository, try running in interactive mode so that you can enter your GitHub credentials\n"
        "\n"
        "  [RuntimeException]\n"
        "  Could not authenticate against github.com\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("credentials-missing", "github")
    assert "credentials-rejected" in only.alternatives


def test_composer_quoting_git_lets_git_lines_decide() -> None:
    text = (
        "  Failed to execute git clone --mirror -- 'git@bitbucket.org:acme/lib.git' '/root/.cache/composer/vcs/git-bitbucket.org-acme-lib.git/'\n"
        "\n"
        "  Cloning into bare repository '/root/.cache/composer/vcs/git-bitbucket.org-acme-lib.git'...\n"
        "  git@bitbucket.org: Permission denied (publickey).\n"
        "  fatal: Could not read from remote repository.\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("ssh-key-rejected", "bitbucket-cloud")


def test_the_go_module_mirror_is_not_the_host_the_module_path_is() -> None:
    text = (
        "go: downloading bitbucket.org/acme/lib v1.2.0\n"
        "go: example.com/app imports bitbucket.org/acme/lib: module bitbucket.org/acme/lib: "
        "reading https://proxy.golang.org/bitbucket.org/acme/lib/@v/list: 410 Gone\n"
        "\tserver response: not found: bitbucket.org/acme/lib@v1.2.0: terminal prompts disabled\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("credentials-missing", "bitbucket-cloud"), "a 410 from the mirror is not Bitbucket's app-password 410"


def test_a_module_the_checksum_database_does_not_know_is_not_found_or_private() -> None:
    text = "verifying github.com/acme/lib@v1.2.0: github.com/acme/lib@v1.2.0: reading https://sum.golang.org/lookup/github.com/acme/lib@v1.2.0: 410 Gone\n"
    only = only_diagnosis(text)
    assert (only.cause, only.host, only.alternatives) == ("repository-not-found", "github", ("credentials-missing",))


TERRAFORM = (
    "Downloading git::https://bitbucket.org/acme/modules.git?ref=v3.7.0 for vpc...\n"
    "╷\n"
    "│ Error: Failed to download module\n"
    "│\n"
    '│ Could not download module "vpc" (main.tf:44) source code from\n'
    '│ "git::https://bitbucket.org/acme/modules.git?ref=v3.7.0": error downloading\n'
    "│ 'https://bitbucket.org/acme/modules.git?ref=v3.7.0': /usr/bin/git exited with 128:\n"
    "│ Cloning into '.terraform/modules/vpc'...\n"
)


def test_terraform_quoting_git_is_one_failure_that_git_lines_decide() -> None:
    text = TERRAFORM + "│ fatal: could not read Username for 'https://bitbucket.org': terminal prompts disabled\n╵\n"
    only = only_diagnosis(text)
    assert (only.cause, only.host, only.primary.pattern.id) == ("credentials-missing", "bitbucket-cloud", "git-could-not-read-username")


def test_terraform_alone_says_what_its_line_can_mean_and_how_to_tell() -> None:
    only = only_diagnosis(TERRAFORM + "╵\n")
    assert (only.cause, only.host) == ("repository-not-found", "bitbucket-cloud")
    assert set(only.alternatives) == {"credentials-missing", "ssh-key-rejected", "network"}


def test_every_git_message_a_pattern_names_has_its_translations_imported() -> None:
    import json

    from bbdiag import library

    vendored = json.loads(Path(library.PATTERNS_DIR, library.L10N_FILE).read_text(encoding="utf-8"))["msgids"]
    named = {p.git_message for p in library.load().patterns if p.git_message}
    assert named - set(vendored) == set(), "run tools/import-l10n --git <clone of git>"
    assert all(vendored[m] for m in named), "a msgid git translates in no language is not worth a git_message"


def test_a_german_push_refused_for_remote_work_is_non_fast_forward() -> None:
    text = (
        "To https://bitbucket.org/acme/app.git\n"
        " ! [zurückgewiesen]        main -> main (fetch first)\n"
        "Fehler: Fehler beim Versenden einiger Referenzen nach 'https://bitbucket.org/acme/app.git'\n"
        "Hinweis: Aktualisierungen wurden zurückgewiesen, weil das Remote-Repository Commits enthält,\n"
        "Hinweis: die lokal nicht vorhanden sind.\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("non-fast-forward", "bitbucket-cloud")


def test_translated_remote_lines_in_french_and_chinese_are_read_like_english() -> None:
    assert only_diagnosis("fatal : le protocole 'htps' n'est pas supporté\n").cause == "remote-misconfigured"
    assert only_diagnosis("错误：没有此远程 'upstream'\n").cause == "remote-misconfigured"
    submodule = only_diagnosis(
        "fatal: repository 'https://bitbucket.org/acme/lib.git/' not found\n"
        "Schwerwiegend: Klonen von 'https://bitbucket.org/acme/lib.git' in Submodul-Pfad '/src/app/lib' fehlgeschlagen\n"
    )
    assert (submodule.cause, submodule.host) == ("repository-not-found", "bitbucket-cloud")


def test_libgit2_asking_for_proxy_credentials_is_the_proxy_not_the_host() -> None:
    only = only_diagnosis("LibGit2Sharp.LibGit2SharpException: proxy authentication required but no callback set\n")
    assert only.cause == "proxy-auth-required"


def test_a_ci_checkout_line_after_git_lines_is_the_same_failure() -> None:
    text = (
        "/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules origin +refs/heads/main:refs/remotes/origin/main\n"
        "remote: Repository not found.\n"
        "fatal: repository 'https://github.com/acme/private.git/' not found\n"
        "The process '/usr/bin/git' failed with exit code 128\n"
        "Waiting 13 seconds before trying again\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("repository-not-found", "github")
    assert only.primary.pattern.id != "ci-checkout-git-failed"


def test_a_missing_credential_helper_in_german_or_chinese_is_the_helper_not_the_credential() -> None:
    prompt = "fatal: could not read Username for 'https://bitbucket.org': terminal prompts disabled\n"
    for missing in (
        "git: 'credential-manager-core' ist kein Git-Befehl. Siehe 'git --help'.\n",
        "git：'credential-manager-core' 不是一个 git 命令。参见 'git --help'。\n",
    ):
        only = only_diagnosis(missing + prompt)
        assert (only.cause, only.primary.captures.get("helper")) == ("credential-helper-failed", "manager-core")
    assert only_diagnosis("git: 'pul' ist kein Git-Befehl. Siehe 'git --help'.\n" + prompt).cause == "credentials-missing", "only credential-…"


CARGO = (
    "error: failed to get `private-crate` as a dependency of package `app v0.1.0 (/src)`\n"
    "Caused by:\n"
    "  failed to authenticate when downloading repository: {url}\n"
    "\n"
    "  * {attempt}\n"
    "\n"
    "  if the git CLI succeeds then `net.git-fetch-with-cli` may help here\n"
)


def test_cargo_says_whether_its_key_or_its_credential_helper_came_up_empty() -> None:
    helper = only_diagnosis(
        CARGO.format(
            url="https://github.com/acme/private-crate.git", attempt="attempted to find username/password via git's `credential.helper` support, but failed"
        )
    )
    assert (helper.cause, helper.host) == ("credentials-missing", "github")
    agent = only_diagnosis(
        CARGO.format(url="git@bitbucket.org:acme/private-crate.git", attempt="attempted ssh-agent authentication, but no usernames succeeded: `git`")
    )
    assert (agent.cause, agent.host) == ("ssh-key-rejected", "bitbucket-cloud")


def test_bundler_poetry_and_azure_pipelines_lines_after_git_lines_are_that_failure() -> None:
    git_lines = "remote: Repository not found.\nfatal: repository 'https://github.com/acme/private.git/' not found\n"
    for wrapper in (
        "Git error: command `git clone --bare --no-hardlinks --quiet -- https://github.com/acme/private.git /cache/private-50fd12` in directory /cache/private-50fd12 has failed.\n",
        "Failed to clone https://github.com/acme/private.git, check your git configuration and permissions for this repository.\n",
        "##[warning]Git fetch failed with exit code 128, back off 6.217 seconds before retry.\n",
    ):
        only = only_diagnosis(git_lines + wrapper)
        assert (only.cause, only.host) == ("repository-not-found", "github")
        assert only.primary.pattern.strength > 0, "git's own line decides, not the wrapper's"


def test_plink_that_cannot_accept_a_new_host_key_is_the_host_key_not_the_credential() -> None:
    text = (
        "The host key is not cached for this server:\n"
        "  bitbucket.org (port 22)\n"
        "You have no guarantee that the server is the computer you\n"
        "think it is.\n"
        "Store key in cache? (y/n, Return cancels connection, i for more info) Connection abandoned.\n"
        "fatal: Could not read from remote repository.\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.auth) == ("ssh-host-key", False)
