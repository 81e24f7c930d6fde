"""Issue 13, clients and wrappers, seen on real output (tests/fixtures/wild/clients): a wrapper's
generic line gives way to the reason it quotes when that reason is none of bbdiag's causes, what
ssh wanted to ask decides over its missing askpass, libgit2's error class tells an SSH failure from
an HTTP one, and the wrappers' own lines (Jenkins, git2r, gert, Git LFS, Flux) name cause and host.
Each text is in the printing program's own wording (the pattern files cite its source)."""

from __future__ import annotations

from bbdiag import pipeline
from tests.conftest import only_diagnosis

TERRAFORM = (
    "Error: Failed to download module\n"
    "\n"
    'Could not download module "vpc" (main.tf:62) source code from\n'
    '"git::https://github.com/acme/terraform-modules?ref=v2.77.0":\n'
    "error downloading\n"
    "'https://github.com/acme/terraform-modules?ref=v2.77.0':\n"
)


def test_a_terraform_module_whose_ref_git_cannot_check_out_is_no_credential_failure() -> None:
    text = TERRAFORM + "/usr/local/bin/git exited with 1: error: pathspec 'v2.77.0' did not match any\nfile(s) known to git\n.\n"
    assert pipeline.diagnose_text(text).diagnoses == []


def test_terraform_without_git_installed_is_no_credential_failure() -> None:
    assert pipeline.diagnose_text(TERRAFORM + "git must be available and on the PATH.\n").diagnoses == []


def test_a_module_archive_downloaded_over_http_is_not_git() -> None:
    text = (
        "Error: Failed to download module\n\n"
        'Could not download module "eks" (main.tf:1) source code from\n'
        '"https://github.com/acme/eks/archive/v1.0.5.tar.gz//*?archive=tar.gz":\n'
        "bad response code: 404.\n"
    )
    assert pipeline.diagnose_text(text).diagnoses == []


def test_terraform_with_git_failing_on_its_own_still_says_what_its_line_can_mean() -> None:
    only = only_diagnosis(TERRAFORM + "/usr/bin/git exited with 128: Cloning into '.terraform/modules/vpc'...\n")
    assert (only.cause, only.host) == ("repository-not-found", "github")


def test_a_missing_ssh_askpass_before_an_unknown_host_key_is_the_host_key() -> None:
    text = (
        "ssh_askpass: exec(/usr/libexec/ssh-askpass): No such file or directory\nHost key verification failed.\nfatal: Could not read from remote repository.\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.auth) == ("ssh-host-key", False)


def test_a_missing_ssh_askpass_alone_says_ssh_could_not_ask() -> None:
    only = only_diagnosis("ssh_askpass: exec(/usr/bin/ssh-askpass): No such file or directory\n")
    assert only.cause == "credentials-missing"
    assert set(only.alternatives) == {"ssh-host-key", "ssh-key-rejected"}


def test_libgit2_without_an_ssh_credential_is_the_key_and_over_http_the_missing_credential() -> None:
    ssh = only_diagnosis("Error: Failed to clone repo getgrit/stdlib: authentication required but no callback set; class=Ssh (23); code=Auth (-16)\n")
    julia = only_diagnosis("GitError(Code:EAUTH, Class:SSH, authentication required but no callback set)\n")
    http = only_diagnosis("Error: Git Error: remote authentication required but no callback set; class=Http (34)\n")
    assert (ssh.cause, julia.cause, http.cause) == ("ssh-key-rejected", "ssh-key-rejected", "credentials-missing")


def test_a_rust_debug_of_git2_error_names_its_class_and_the_scp_host() -> None:
    text = (
        "INFO push_virtual_branch: authenticating with git@bitbucket.org:acme/app.git using key\n"
        'WARN push_virtual_branch: git push failed error=Error { code: -16, klass: 23, message: "authentication required but no callback set" }\n'
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("ssh-key-rejected", "bitbucket-cloud")


def test_old_libgit2s_capitalised_status_line_is_read() -> None:
    assert only_diagnosis("_pygit2.GitError: Unexpected HTTP status code: 401\n").cause == "credentials-missing"


def test_jgit_wrapping_jschs_auth_fail_is_the_ssh_key_on_that_host() -> None:
    only = only_diagnosis("org.eclipse.jgit.api.errors.TransportException: git@bitbucket.org:acme/app.git: Auth fail\n")
    assert (only.cause, only.host) == ("ssh-key-rejected", "bitbucket-cloud")


def test_flux_quoting_go_git_in_its_own_format_and_naming_its_server() -> None:
    flux = only_diagnosis("unable to clone 'https://github.com/acme/fleet', error: authentication required.\n")
    bootstrap = only_diagnosis("► connecting to gitlab.lan.example.de\n✗ git clone error: authentication required\n")
    assert (flux.cause, flux.host) == ("credentials-rejected", "github")
    assert (bootstrap.cause, bootstrap.host) == ("credentials-rejected", "gitlab")


def test_jenkins_timing_out_a_fetch_is_the_network_and_not_a_credential() -> None:
    text = (
        "ERROR: Timeout after 10 minutes\n"
        "ERROR: Error fetching remote repo 'origin'\n"
        "hudson.plugins.git.GitException: Failed to fetch from https://bitbucket.org/acme/app.git\n"
        "\tat hudson.plugins.git.GitSCM.fetchFrom(GitSCM.java:803)\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host, only.auth) == ("network", "bitbucket-cloud", False)


def test_jenkins_core_timing_out_any_other_step_is_not_git() -> None:
    assert pipeline.diagnose_text("ERROR: Timeout after 10 minutes\nFinished: FAILURE\n").diagnoses == []


def test_jenkins_unable_to_write_its_askpass_is_its_credential_plumbing() -> None:
    text = "using GIT_ASKPASS to set credentials \nERROR: Error cloning remote repo 'origin'\nhudson.plugins.git.GitException: Failed to setup credentials\n"
    assert only_diagnosis(text).cause == "credential-helper-failed"


def test_the_r_clients_own_lines_say_the_credential_failed_and_list_what_else_it_can_be() -> None:
    git2r = only_diagnosis("Error in 'git2r_push': Unable to authenticate with supplied credentials\n")
    gert = only_diagnosis("Error in libgit2::git_remote_push: Authentication failure\n")
    for diagnosis in (git2r, gert):
        assert diagnosis.cause == "credentials-rejected"
        assert set(diagnosis.alternatives) == {"credentials-missing", "ssh-key-rejected"}


def test_git_lfs_finding_no_credential_is_a_missing_one_not_a_refused_one() -> None:
    text = "Git credentials for https://github.com/acme/data.git not found:\nexit status 1\nerror: failed to push some refs to 'https://github.com/acme/data.git'\n"
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("credentials-missing", "github")


def test_dulwich_through_dvc_quoting_its_401_at_the_end_of_its_own_line() -> None:
    text = "ERROR: failed to get 'model.pkl' - SCM error: Failed to clone repo 'https://dagshub.com/acme/data' to '/tmp/x': No valid credentials provided\n"
    only = only_diagnosis(text)
    assert (only.cause, only.host, only.alternatives) == ("credentials-rejected", "generic", ("credentials-missing",))


def test_a_wrapper_naming_a_data_center_url_with_its_host_masked_names_data_center() -> None:
    text = 'git clone master from https://<self-hosted-bitbucket-url>/scm/<project>/<repo>.git failed with error: authentication required".\n'
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("credentials-rejected", "bitbucket-dc")


def test_go_probing_bitbucket_for_its_vcs_and_denied_is_access_to_a_private_module_or_a_missing_credential() -> None:
    text = (
        "go: bitbucket.org/acme/lib@v2.0.0+incompatible: reading https://api.bitbucket.org/2.0/repositories/acme/lib?fields=scm: 403 Forbidden\n"
        "\tserver response: Access denied. You must have write or admin access.\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("permission-denied", "bitbucket-cloud")
    assert set(only.alternatives) == {"credentials-missing", "repository-not-found"}


def test_git_quoting_only_an_unknown_host_takes_the_data_center_path_of_that_hosts_remote_nearby() -> None:
    text = (
        "+ git remote add origin http://git.corp.example/scm/ach/app.git\n"
        "+ git fetch --no-tags origin +refs/tags/v1:\n"
        "fatal: could not read Username for 'http://git.corp.example': No such device or address\n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host) == ("credentials-missing", "bitbucket-dc")


def test_gcm_2_stopping_on_a_cancelled_http_request_is_the_helper_failing_then_git_asking() -> None:
    text = (
        "fatal: A task was canceled.\n"
        "   at System.Net.Http.HttpConnectionPool.SendWithVersionDetectionAndRetryAsync(HttpRequestMessage request, Boolean async)\n"
        "Password for 'https://acme@dev.azure.com/acme/app/_git/app': \n"
    )
    only = only_diagnosis(text)
    assert (only.cause, only.host, only.alternatives) == ("credential-helper-failed", "azure-devops", ("network",))


def test_jgits_not_authorized_inside_egits_parentheses_or_before_a_flattened_stack() -> None:
    egit = only_diagnosis("Can't connect to any repository: https://github.com/acme/app.git (https://github.com/acme/app.git: not authorized)\n")
    flat = only_diagnosis(
        "Push Error: org.eclipse.jgit.api.errors.TransportException: https://github.com/acme/app.git: not authorized at org.eclipse.jgit.api.PushCommand.call(PushCommand.java:147)\n"
    )
    assert (egit.cause, egit.host) == (flat.cause, flat.host) == ("credentials-rejected", "github")


def test_argo_cds_logrus_line_with_go_gits_error_in_its_own_field_mid_line() -> None:
    text = 'time="2024-09-11T08:39:27Z" level=error msg="finished unary call with code Unknown" error="authentication required" grpc.code=Unknown\n'
    assert only_diagnosis(text).cause == "credentials-rejected"
