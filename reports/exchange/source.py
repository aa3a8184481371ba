"""Where an exchange comes from: a folder or a .zip of CSV files, read into memory.

A zip is never extracted to disk: each member is read into memory by its entry, so a member
named ``../../etc/passwd`` cannot write anywhere (zip-slip). Members in sub-folders are
refused (except one folder holding everything, as made by zipping a folder), and so are
files larger than the limit — the size is checked before reading and again while reading,
so a zip that lies about its sizes cannot exhaust memory.
"""

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from .problems import Problem

MEGABYTE = 1024 * 1024

#: More files than this in a zip is not an exchange (the format has 16).
MAX_MEMBERS = 200

#: Files that operating systems add to folders and zips; skipped without comment.
_SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini"}


def max_file_bytes() -> int:
    """The largest CSV file accepted (setting ``ECM_EXCHANGE_MAX_FILE_BYTES``)."""
    return getattr(settings, "ECM_EXCHANGE_MAX_FILE_BYTES", 256 * MEGABYTE)


def max_total_bytes() -> int:
    """The most CSV data accepted in one exchange (``ECM_EXCHANGE_MAX_TOTAL_BYTES``)."""
    return getattr(settings, "ECM_EXCHANGE_MAX_TOTAL_BYTES", 1024 * MEGABYTE)


def size_text(size: int) -> str:
    if size >= MEGABYTE:
        return _("%(size)s MB") % {"size": f"{size / MEGABYTE:.1f}".removesuffix(".0")}
    if size >= 1024:
        return _("%(size)s KB") % {"size": f"{size / 1024:.1f}".removesuffix(".0")}
    return _("%(size)d bytes") % {"size": size}


@dataclass
class Source:
    """The files of one exchange: name (lower case) → bytes, and what stopped reading."""

    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Files that are not CSV, left unread (reported, not an error).
    ignored: list[str] = field(default_factory=list)


def _too_large(name: str, size: int) -> Problem:
    return Problem(
        name,
        _("the file is %(size)s, more than the limit of %(limit)s")
        % {"size": size_text(size), "limit": size_text(max_file_bytes())},
    )


def _too_much(name: str) -> Problem:
    return Problem(
        name,
        _("the files add up to more than the limit of %(limit)s for one exchange")
        % {"limit": size_text(max_total_bytes())},
    )


def _accept(source: Source, name: str, size: int) -> bool:
    """Check a file's name and declared size before reading it."""
    lowered = name.lower()
    if lowered in source.files:
        source.problems.append(Problem(name, _("appears twice")))
        return False
    if not lowered.endswith(".csv"):
        source.ignored.append(name)
        return False
    if size > max_file_bytes():
        source.problems.append(_too_large(name, size))
        return False
    return True


def _add(source: Source, name: str, data: bytes, total: int) -> int:
    if len(data) > max_file_bytes():
        source.problems.append(_too_large(name, len(data)))
        return total
    total += len(data)
    if total > max_total_bytes():
        source.problems.append(_too_much(name))
        return total
    source.files[name.lower()] = data
    return total


def from_files(files: dict[str, bytes], *, name: str = "upload") -> Source:
    """An exchange given as name → bytes (tests, and anything already in memory)."""
    source = Source(name=name)
    total = 0
    for file_name, data in files.items():
        if _accept(source, file_name, len(data)):
            total = _add(source, file_name, data, total)
    return source


def from_folder(path) -> Source:
    folder = Path(path)
    source = Source(name=folder.name or str(folder))
    total = 0
    for entry in sorted(folder.iterdir()):
        if entry.name.lower() in _SYSTEM_FILES or entry.name.startswith("."):
            continue
        if entry.is_dir():
            source.ignored.append(entry.name + "/")
            continue
        if not entry.is_file() or not _accept(source, entry.name, entry.stat().st_size):
            continue
        with entry.open("rb") as handle:
            data = handle.read(max_file_bytes() + 1)
        total = _add(source, entry.name, data, total)
    return source


def _member_names(archive: zipfile.ZipFile, source: Source) -> list[tuple[zipfile.ZipInfo, str]]:
    """The members to read, each with its name inside the exchange (no folders, no tricks)."""
    members = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        raw = info.filename
        parts = PurePosixPath(raw).parts
        if not parts or parts[0] == "__MACOSX" or parts[-1].lower() in _SYSTEM_FILES:
            continue
        if "\\" in raw or raw.startswith("/") or ".." in parts or ":" in raw:
            source.problems.append(
                Problem(raw, _("unsafe file name in the zip; the files must be at the top level"))
            )
            continue
        members.append((info, parts))
    # A zip made by compressing a folder holds everything inside that one folder: allow it.
    tops = {parts[0] for _info, parts in members}
    strip = len(tops) == 1 and all(len(parts) == 2 for _info, parts in members)
    named = []
    for info, parts in members:
        if strip:
            named.append((info, parts[1]))
        elif len(parts) == 1:
            named.append((info, parts[0]))
        else:
            source.problems.append(
                Problem(
                    info.filename,
                    _("files in folders inside the zip are not read; put the CSV files at the top"),
                )
            )
    return named


def from_zip(file, *, name: str = "upload.zip") -> Source:
    """An exchange in a zip (a path or an open binary file), read member by member."""
    source = Source(name=name)
    try:
        archive = zipfile.ZipFile(file)
    except Exception:  # a damaged or hostile zip can fail in many ways; none is our error
        source.problems.append(Problem(name, _("not a zip file, or a damaged one")))
        return source
    total = 0
    with archive:
        if len(archive.infolist()) > MAX_MEMBERS:
            source.problems.append(
                Problem(
                    name,
                    _("the zip holds %(count)d files; an exchange has at most %(limit)d")
                    % {"count": len(archive.infolist()), "limit": MAX_MEMBERS},
                )
            )
            return source
        for info, member in _member_names(archive, source):
            if not _accept(source, member, info.file_size):
                continue
            if info.flag_bits & 0x1:
                source.problems.append(Problem(member, _("is protected by a password")))
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(max_file_bytes() + 1)
            except Exception:  # damaged data, an unsupported compression method...
                source.problems.append(Problem(member, _("could not be read from the zip")))
                continue
            total = _add(source, member, data, total)
    return source


def from_path(path) -> Source:
    """A folder, or a path ending .zip."""
    location = Path(path)
    if location.is_dir():
        return from_folder(location)
    if location.suffix.lower() == ".zip" and location.is_file():
        return from_zip(location, name=location.name)
    source = Source(name=str(path))
    if not location.exists():
        source.problems.append(Problem(str(path), _("no such folder or file")))
    else:
        source.problems.append(Problem(str(path), _("give a folder or a .zip file")))
    return source
