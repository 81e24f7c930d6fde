"""hosts: the registry, the Host protocol, and the one table of token shapes everybody reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bbdiag import hosts, inspector, redact
from bbdiag.causes import HOSTS
from bbdiag.hooks import token_kinds
from bbdiag.hosts.base import Host, TokenShape

HOSTS_DIR = Path(hosts.__file__).parent
# Every member of the Host protocol, read from the protocol itself (a new member is checked too).
MEMBERS = sorted(name for name in vars(Host) if not name.startswith("_"))


def test_every_host_module_is_registered_once() -> None:
    modules = {p.stem for p in HOSTS_DIR.glob("*.py")} - {"__init__", "base"}
    registered = [host.__name__.rsplit(".", 1)[1] for host in hosts.REGISTRY]  # type: ignore[attr-defined]
    assert sorted(registered) == sorted(modules)
    assert len(set(registered)) == len(registered)


@pytest.mark.parametrize("host", hosts.REGISTRY, ids=lambda h: h.ID)
def test_each_module_has_every_member_of_the_protocol(host: Host) -> None:
    missing = [name for name in MEMBERS if not hasattr(host, name)]
    assert not missing, missing


def test_host_ids_are_the_contract() -> None:
    """causes.md's host ids, each from exactly one module (and `unknown`, which is none)."""
    assert set(HOSTS) == {
        "bitbucket-cloud",
        "bitbucket-dc",
        "github",
        "gitlab",
        "azure-devops",
        "codecommit",
        "gitea",
        "generic",
        "unknown",
    }
    assert hosts.get("unknown") is hosts.get("generic")
    assert not hosts.is_named("generic") and not hosts.is_named("unknown") and hosts.is_named("gitea")


def test_product_words_keep_their_order_across_hosts() -> None:
    """A host name with two products' words is the first one's (the registry's order)."""
    assert hosts.classify("bitbucket-gitlab.corp.example") == "bitbucket-dc"
    assert hosts.classify("gitlab-github.corp.example") == "gitlab"
    assert hosts.classify("gitea-on-azure.example") == "gitea"


def test_ssh_bracketed_host_and_port_are_read_as_ssh_writes_them() -> None:
    """ssh prints `[host]:port` for a host on another port (known_hosts, its warnings)."""
    assert hosts.classify("[bitbucket.example.com]:7999") == "bitbucket-dc"  # Data Center's SSH port
    assert hosts.classify("[bitbucket.org]") == "bitbucket-cloud"
    assert hosts.classify("[git.example.com]:7999") == "bitbucket-dc"
    assert hosts.classify("[git.example.com]:2222") == "generic"


def test_placeholder_host_names_are_unknown() -> None:
    assert hosts.classify("host") == "unknown"
    assert hosts.classify("your-host") == "unknown"
    # A template's own words for "my machine" (wild/servers s048, s066), not a name.
    assert hosts.classify("myhost") == "unknown" and hosts.classify("local-ip") == "unknown"
    assert hosts.classify("buildserver") == "generic" and hosts.classify("myhost.corp.example") == "generic"


# ------------------------------------------------------------------------------ token shapes
_CHARACTERS = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0"


def _prefix_example(prefix: str) -> str:
    """The first spelling of a shape's prefix: `gh[pousr]_` -> `ghp_`, `(?:AKIA|ASIA)` -> `AKIA`."""
    example = re.sub(r"\(\?:([^|)]*)[^)]*\)", r"\1", prefix)
    return re.sub(r"\[(.)[^\]]*\]", r"\1", example)


def token(shape: TokenShape, length: int) -> str:
    """A made-up token of `shape` whose body is `length` characters long."""
    allowed = [ch for ch in _CHARACTERS * 8 if re.fullmatch(shape.body, ch)]
    assert len(allowed) >= length, shape
    return _prefix_example(shape.prefix) + "".join(allowed[:length])


SHAPES = [pytest.param(shape, id=f"{shape.kind}:{shape.prefix or 'opaque'}") for shape in hosts.TOKEN_SHAPES]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_token_of_each_shape_is_hidden_named_and_blocked(shape: TokenShape) -> None:
    secret = token(shape, shape.min_length)
    assert hosts.looks_like_token(secret)
    assert inspector.secret_kind(secret) == shape.kind
    assert redact.redact(f"https://{secret}@git.example.org/a.git") == "https://[redacted]@git.example.org/a.git"
    if shape.in_text:
        assert redact.redact(f"the log says {secret} here") == "the log says [redacted] here"
        assert token_kinds(f"password = {secret}") == [shape.name]
    else:  # never in running text: a commit id has the same shape
        assert redact.redact(f"the log says {secret} here") == f"the log says {secret} here"
        assert token_kinds(f"commit {secret}") == []


@pytest.mark.parametrize("shape", SHAPES)
def test_shorter_than_the_minimum_is_not_taken_for_that_token(shape: TokenShape) -> None:
    near_miss = token(shape, shape.min_length - 1)
    assert inspector.secret_kind(near_miss) != shape.kind
    assert shape.name not in token_kinds(f"see {near_miss}")


def test_every_kind_has_a_name_for_people() -> None:
    for shape in hosts.TOKEN_SHAPES:
        assert inspector.KIND_NAMES[shape.kind].startswith(("a ", "an "))
    assert "password" in inspector.KIND_NAMES
