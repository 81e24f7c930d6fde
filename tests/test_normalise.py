"""normalise: any bytes in, numbered lines out; nothing raises, nothing is silently lost."""

from __future__ import annotations

import codecs
import io

from bbdiag.normalise import MAX_LINE, Reading, clean, read


def lines_of(data: bytes, limit: int | None = None) -> tuple[list[tuple[int, str]], Reading]:
    reading = Reading("-")
    stream = io.BufferedReader(io.BytesIO(data))
    got = list(read(stream, reading) if limit is None else read(stream, reading, limit))
    return [(line.number, line.text) for line in got], reading


def test_empty_input() -> None:
    assert lines_of(b"") == ([], Reading("-"))


def test_crlf_and_line_numbers() -> None:
    got, _ = lines_of(b"one\r\ntwo\r\n\r\nfour")
    assert got == [(1, "one"), (2, "two"), (3, ""), (4, "four")]


def test_utf16_with_bom_as_powershell_writes_it() -> None:
    text = "remote: Invalid credentials\r\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\r\n"
    got, reading = lines_of(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert got == [(1, "remote: Invalid credentials"), (2, "fatal: Authentication failed for 'https://bitbucket.org/a/b.git/'")]
    assert reading.encoding == "utf-16"


def test_utf16_without_bom() -> None:
    got, _ = lines_of("fatal: Authentication failed for 'x'\n".encode("utf-16-le"))
    assert got == [(1, "fatal: Authentication failed for 'x'")]


def test_utf8_bom_is_dropped() -> None:
    assert lines_of(codecs.BOM_UTF8 + b"fatal: x\n")[0] == [(1, "fatal: x")]


def test_invalid_utf8_is_read_as_windows_1252_and_counted() -> None:
    got, reading = lines_of(b"fatal: Impossible de lire le d\xe9p\xf4t distant.\n")
    assert got == [(1, "fatal: Impossible de lire le dépôt distant.")]
    assert reading.not_utf8 == 1
    assert "Windows-1252" in " ".join(reading.remarks())


def test_nul_bytes_and_binary_do_not_raise() -> None:
    got, reading = lines_of(bytes(range(256)) * 40)
    assert reading.nul_bytes == 40
    assert got  # something was read, nothing raised


def test_a_huge_line_is_read_in_pieces_with_one_line_number() -> None:
    data = b"x" * (3 * MAX_LINE + 10) + b"\nfatal: y\n"
    got, reading = lines_of(data)
    assert reading.long_lines == 1
    assert {n for n, _ in got[:-1]} == {1}
    assert got[-1] == (2, "fatal: y")


def test_input_beyond_the_limit_is_left_unread_and_said() -> None:
    got, reading = lines_of(b"line\n" * 1000, limit=100)
    assert reading.stopped and len(got) < 1000
    assert any("left unread" in r for r in reading.remarks())


def test_ansi_colour_and_ci_prefixes_are_stripped() -> None:
    assert clean("\x1b[31mfatal\x1b[0m: Authentication failed") == ["fatal: Authentication failed"]
    assert clean("2021-07-14T14:15:06.9125187Z ##[error]fatal: could not read Password") == ["fatal: could not read Password"]
    assert clean("[2021-05-01T10:00:00.123Z] remote: Invalid credentials") == ["remote: Invalid credentials"]
    assert clean("[08:20:59]LibGit2Sharp.LibGit2SharpException: x") == ["LibGit2Sharp.LibGit2SharpException: x"]
    assert clean("section_start:1700000000:get_sources\r\x1b[0KGetting source") == ["Getting source"]
    assert clean("2024-05-08T09:40:45.108397Z 01O fatal: x") == ["fatal: x"]


def test_progress_lines_keep_what_was_last_shown() -> None:
    assert clean("Receiving objects:  10% (1/10)\rReceiving objects: 100% (10/10), done.") == ["Receiving objects: 100% (10/10), done."]


def test_json_escaped_messages_become_lines() -> None:
    line = '{"errorData":"remote: Permission to a/b.git denied to bot.\\nfatal: unable to access \'https://github.com/a/b.git/\': The requested URL returned error: 403\\n"}'
    pieces = clean(line)
    assert "remote: Permission to a/b.git denied to bot." in pieces[0]
    assert pieces[1] == "fatal: unable to access 'https://github.com/a/b.git/': The requested URL returned error: 403"


def test_flattened_lines_are_split_before_git_prefixes() -> None:
    assert clean("Your credentials lack one or more required privilege scopes. fatal: unable to access 'x'") == [
        "Your credentials lack one or more required privilege scopes.",
        "fatal: unable to access 'x'",
    ]


def test_a_line_of_only_carriage_returns() -> None:
    assert clean("\r \r\r") == [""]
    assert clean("\r") == [""]
