"""redact: every secret shape bbdiag knows is masked, and ordinary text is left alone."""

from __future__ import annotations

import pytest

from bbdiag.redact import MASK, redact

SECRETS = {
    "app password": "ATBB" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6",
    "api token": "ATATT3xFfGF0" + "T9kLm2Qw8Zr5Xy7Vb4Nc1Ds6Ea3Hg0Jp",
    "access token": "ATCTT3xFfGN0" + "Zq8Wm2Lk5Rt7Yp9Xv3Bn6Mc1Sd4Fg0Hj",
    "github classic": "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a",
    "github fine-grained": "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "gitlab": "glpat-" + "xYz12AbC34dEf56GhI78",
    "aws": "AKIA" + "IOSFODNN7EXAMPLE",
}


@pytest.mark.parametrize("kind", SECRETS)
def test_token_shapes_anywhere(kind: str) -> None:
    secret = SECRETS[kind]
    for text in [f"token is {secret}.", f"https://{secret}@github.com/o/r.git", f"password={secret}", f'"password": "{secret}"']:
        out = redact(text)
        assert secret not in out and MASK in out, text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("fatal: unable to access 'https://jane:hunter2@bitbucket.org/ws/r.git/': x", "hunter2"),
        ("To https://chris:p4ssw0rd@git.door43.org/chris/r.git", "p4ssw0rd"),
        ("git -c http.extraheader='Authorization: Basic amFuZTpodW50ZXIy' fetch", "amFuZTpodW50ZXIy"),
        ("> Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "eyJhbGciOiJIUzI1NiJ9.e30.abc"),
        ("password=correct-horse-battery", "correct-horse-battery"),
        ("curl -L -u test:s3cr3t -X POST https://x", "s3cr3t"),
        ("Password for 'http://Demo@192.168.0.236': 我的git的密码", "我的git的密码"),
        ("https://oauth2:abcdef0123456789abcdef0123456789@gitlab.com/g/r.git", "abcdef0123456789abcdef0123456789"),
    ],
)
def test_urls_headers_helper_input_and_prompts(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "remote: Support for password authentication was removed on August 13, 2021.",
        "fatal: Authentication failed for 'https://bitbucket.org/ws/repo.git/'",
        "git@bitbucket.org: Permission denied (publickey).",
        "The fingerprint for the RSA key sent by the remote host is SHA256:46OSHA1Rmj8E8ERTC6xkNcmGOw9oFxYr0WF6zWW8l1E.",
        "https://x-token-auth:{access_token}@bitbucket.org/ws/r.git",
        "Password for 'https://jane@bitbucket.org': ",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_idempotent() -> None:
    text = "https://jane:hunter2@bitbucket.org/ " + SECRETS["app password"]
    assert redact(redact(text)) == redact(text)
