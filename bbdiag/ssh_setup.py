"""SSH as ssh sees it: the effective configuration of one remote (`ssh -G`) and the host keys that
known_hosts holds for it (`ssh-keygen -F`), read-only and offline.

`ssh -G` applies everything ssh would (`Include`, `Match`, `Host` patterns, `HostName`, defaults)
without connecting, so doctor no longer parses ~/.ssh/config by hand. It is run with the options
of the ssh command git uses (GIT_SSH_COMMAND, core.sshCommand) when that command is ssh; for
another program (plink, a script) nothing is read. ssh reads ~/.ssh from the account's home
directory while git and bbdiag take ~ to be $HOME: where the two differ (sudo, a test), the
configuration and known_hosts under $HOME are read, so that every check of one report describes
the same ~/.ssh. `ssh-keygen -F` finds hashed known_hosts entries and `[host]:port` ones; a
name is looked up, and so is the address when the remote names one (`ssh://10.0.0.5:7999/...`)
or ssh checks it too (`CheckHostIP yes`, then resolved by the system's resolver as ssh would).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import os
import pwd
import shlex
import socket
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from bbdiag import child
from bbdiag.records import NamedTuple

TIMEOUT = 10
# What `ssh -G` lists when nothing names an IdentityFile (ssh tries each that exists).
DEFAULT_IDENTITIES = frozenset(f"~/.ssh/{n}" for n in ("id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa"))
KEY_TYPES = {"ssh-ed25519": "ED25519", "ssh-rsa": "RSA", "ssh-dss": "DSA", "sk-ssh-ed25519@openssh.com": "ED25519-SK"}


class KnownHostKey(NamedTuple):
    """One known_hosts entry for the remote's host."""

    file: str
    line: int
    looked_up: str  # the name or address it was found under (`[10.0.0.5]:7999`)
    key_type: str  # as ssh prints it in a fingerprint line: ED25519, ECDSA, RSA
    fingerprint: str  # SHA256:…, as ssh prints it
    hashed: bool  # written with HashKnownHosts (`|1|…`): only ssh-keygen -F finds it


class SshView(NamedTuple):
    """What ssh will do for one remote."""

    alias: str  # the host as the remote URL names it (what `Host` patterns match)
    hostname: str  # after HostName
    port: int
    user: str  # the user ssh logs in as
    user_from: str  # "url", "config" (User in an ssh configuration) or "login" (nobody named one: your login name)
    identity_files: tuple[str, ...]  # expanded, in the order ssh tries them
    named_identities: tuple[str, ...]  # those an IdentityFile names (not ssh's defaults), expanded
    identities_only: bool
    batch: bool  # BatchMode yes: ssh never asks (a host key it does not know fails)
    strict: str  # StrictHostKeyChecking
    known_hosts_files: tuple[str, ...]
    host_keys: tuple[KnownHostKey, ...]  # the entries for this host, by name and by address

    @property
    def existing_identities(self) -> tuple[str, ...]:
        return tuple(f for f in self.identity_files if os.path.isfile(f))

    @property
    def key_lookup_name(self) -> str:
        """How known_hosts names this host: `name`, or `[name]:port` off port 22."""
        return self.hostname if self.port == 22 else f"[{self.hostname}]:{self.port}"


def ssh_options(environment: Mapping[str, str]) -> list[str] | None:
    """The options of the ssh command git runs (GIT_SSH_COMMAND, then core.sshCommand, then GIT_SSH);
    None when git runs another program than ssh, whose configuration bbdiag cannot read."""
    command = environment.get("GIT_SSH_COMMAND") or environment.get("core.sshcommand")
    if command is None and environment.get("GIT_SSH"):
        return [] if os.path.basename(environment["GIT_SSH"]) == "ssh" else None
    if not command:
        return []
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or os.path.basename(words[0]) != "ssh":
        return None
    return words[1:]


def view(host: str, port: int | None, user: str | None, options: Sequence[str]) -> SshView | None:
    """`ssh -G` for the remote's host, port and user; None when ssh is not installed or refuses."""
    args = ["ssh", *options, *_home_options(options), "-G"]
    args += ["-p", str(port)] if port else []
    args += ["-l", user] if user else []
    try:
        done = child.run([*args, "--", host], timeout=TIMEOUT, env=_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    settings: dict[str, list[str]] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        settings.setdefault(key.lower(), []).append(value)

    def one(key: str, default: str = "") -> str:
        return settings.get(key, [default])[0]

    identities = tuple(settings.get("identityfile", []))
    login = _login_name()
    effective_user = one("user", login)
    user_from = "url" if user else ("login" if effective_user == login else "config")
    hostname = one("hostname", host)
    effective_port = int(one("port", "22") or 22)
    files = tuple(f for key in ("userknownhostsfile", "globalknownhostsfile") for value in settings.get(key, []) for f in value.split())
    names = [hostname if effective_port == 22 else f"[{hostname}]:{effective_port}"]
    alias = one("hostkeyalias")
    if alias and alias != "none":
        names = [alias]
    addresses = _addresses(hostname, one("checkhostip") == "yes")
    names = list(dict.fromkeys([*names, *(a if effective_port == 22 else f"[{a}]:{effective_port}" for a in addresses)]))
    return SshView(
        alias=host,
        hostname=hostname,
        port=effective_port,
        user=effective_user,
        user_from=user_from,
        identity_files=tuple(os.path.expanduser(i) for i in identities),
        named_identities=tuple(os.path.expanduser(i) for i in identities if i not in DEFAULT_IDENTITIES),
        identities_only=one("identitiesonly") == "yes",
        batch=one("batchmode") == "yes",
        strict=one("stricthostkeychecking", "ask"),
        known_hosts_files=files,
        host_keys=tuple(key for name in names for key in known_host_keys(name, files)),
    )


def known_host_keys(name: str, files: Sequence[str]) -> list[KnownHostKey]:
    """Every entry `ssh-keygen -F` finds for `name` (hashed ones too), with its fingerprint."""
    found = []
    for file in files:
        path = os.path.expanduser(file)
        if not os.path.isfile(path):
            continue
        try:
            done = child.run(["ssh-keygen", "-F", name, "-f", path], timeout=TIMEOUT, env=_env())
        except (OSError, subprocess.TimeoutExpired):
            continue
        number = 0
        for line in done.stdout.decode("utf-8", "replace").splitlines():
            if line.startswith("# Host ") and " found: line " in line:
                last = line.split()[-1]
                number = int(last) if last.isdigit() else 0
                continue
            key = _entry(line)
            if key is not None:
                found.append(KnownHostKey(path, number, name, key[0], key[1], line.startswith("|")))
    return found


def fingerprint(blob: str) -> str | None:
    """A public key's SHA256 fingerprint, as ssh prints it (unpadded base64 of the key's SHA-256)."""
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return None
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def _entry(line: str) -> tuple[str, str] | None:
    """(key type, fingerprint) of a known_hosts line; None for a comment, a marker line or a broken one."""
    words = line.split()
    if not words or words[0].startswith("#") or words[0].startswith("@") or len(words) < 3:
        return None  # @revoked and @cert-authority lines do not pin the host's own key
    key_type = KEY_TYPES.get(words[1], "ECDSA" if words[1].startswith("ecdsa-") else words[1].upper())
    print_ = fingerprint(words[2])
    return (key_type, print_) if print_ else None


def _home_options(options: Sequence[str]) -> list[str]:
    """Where ssh's home (the account's) is not $HOME, point ssh at $HOME's ~/.ssh (see the module's note)."""
    home = os.path.expanduser("~")
    try:
        account = pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        account = home
    if os.path.realpath(home) == os.path.realpath(account):
        return []
    ssh = Path(home) / ".ssh"
    extra = [] if "-F" in options else ["-F", str(ssh / "config") if (ssh / "config").is_file() else os.devnull]
    return [*extra, "-o", f"UserKnownHostsFile={ssh / 'known_hosts'} {ssh / 'known_hosts2'}"]


def _login_name() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return os.environ.get("USER", "")


def _addresses(hostname: str, check_host_ip: bool) -> list[str]:
    try:
        return [str(ipaddress.ip_address(hostname))]
    except ValueError:
        pass
    if not check_host_ip:
        return []
    try:
        return list(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(hostname, None, proto=socket.IPPROTO_TCP)))
    except (OSError, UnicodeError):
        return []


def _env() -> dict[str, str]:
    """ssh and ssh-keygen in the C locale, and never asking anything."""
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_ASKPASS", "DISPLAY")}
    env.update(LC_ALL="C", LANGUAGE="C")
    return env
