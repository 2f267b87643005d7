"""Values that name files on the server: output prefixes and input file names.

The server joins them to one of its folders and goes there, without asking whether they lead out
of it. ComfyUI 0.3.75 takes ``filename_prefix="../x"`` or ``"/tmp/x"`` and then fails when the
node saves (``Saving image outside the output folder is not allowed``): comfydsl refuses both
(:func:`prefix_problem`). It takes ``LoadImage(image="../main.py")`` when that file exists, and
then reads whatever is there: comfydsl refuses a name that climbs out of the input folder, or
names the folder itself (:func:`file_name_problem`). An absolute path is taken: it names a file
of the server's own machine, as the editor of a local server may send it. Both follow the rules
of POSIX and of Windows paths alike, since the server may run on either.

Some nodes check their file themselves, and the server then skips its list check for that
input (``VALIDATE_INPUTS``; ``OWN_FILE_CHECKS`` lists those of stock ComfyUI): a file it does not
have is ``custom_validation_failed`` ("Invalid image file: x.png"), not ``value_not_in_list``.
A name may end with `` [input]``, `` [output]`` or `` [temp]`` to say which folder it is in.
"""

from __future__ import annotations

import ntpath
import posixpath

#: Nodes whose own check looks for the file: class -> (input, what the file is, for messages).
OWN_FILE_CHECKS = {
    "LoadImage": ("image", "image"),
    "LoadImageMask": ("image", "image"),
    "LoadImageOutput": ("image", "image"),
    "LoadLatent": ("latent", "latent"),
    "LoadAudio": ("audio", "audio"),
    "LoadVideo": ("file", "video"),
}

#: The suffixes that put a file name in another folder than the input folder.
FOLDER_SUFFIXES = {" [input]": "input", " [output]": "output", " [temp]": "temp"}

#: What the server puts for ``%width%``, ``%year%``... in a prefix: digits only, so a stand-in.
_PREFIX_VARIABLES = ("width", "height", "year", "month", "day", "hour", "minute", "second")


def split_folder(name: str) -> tuple[str, str]:
    """A file name without its folder suffix, and the folder: ``("x.png", "output")``."""
    for suffix, folder in FOLDER_SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], folder
    return name, "input"


def _climbs(path: str) -> bool:
    """Whether ``path``, read as POSIX or as Windows path, climbs out of the folder it is
    joined to (``..`` past its top)."""
    for flavour in (posixpath, ntpath):
        normal = flavour.normpath(path)
        if normal == ".." or normal.startswith(".." + flavour.sep):
            return True
    return False


def _absolute(path: str) -> bool:
    """Whether ``path``, read as POSIX or as Windows path, does not depend on the folder."""
    return any(
        flavour.isabs(path) or flavour.splitdrive(path)[0] for flavour in (posixpath, ntpath)
    )


def plainly_relative(path: str) -> bool:
    """Whether ``path`` is relative and cannot climb, seen without parsing it (most names are):
    no ``..``, no drive or stream colon, no backslash, no leading slash. Every node that saves a
    file checks its prefix, so the paths' parsing is kept for the names that need it."""
    return ".." not in path and ":" not in path and "\\" not in path and path[:1] != "/"


def prefix_problem(prefix: str) -> str | None:
    """Why an output prefix cannot be used, or None: one that leads out of the output folder."""
    return None if plainly_relative(prefix) else _parsed_prefix_problem(prefix)


def _parsed_prefix_problem(prefix: str) -> str | None:
    for name in _PREFIX_VARIABLES:
        prefix = prefix.replace(f"%{name}%", "0")
    # The server keeps the folder part of the prefix and names the files with the rest.
    folder = posixpath.dirname(posixpath.normpath(prefix))
    folder_nt = ntpath.dirname(ntpath.normpath(prefix))
    if any(_absolute(f) or _climbs(f) for f in (folder or ".", folder_nt or ".")):
        return (
            "it leads out of the server's output folder: the server takes the prompt and "
            "then refuses to save there when the node runs"
        )
    return None


def file_name_problem(name: str) -> str | None:
    """Why a file name cannot name a file of the server's folders, or None."""
    plain, folder = split_folder(name)
    # Without "..", only a name of dots and separators alone names the folder itself.
    if plainly_relative(plain) and plain.strip("./"):
        return None
    return _parsed_file_name_problem(plain, folder)


def _parsed_file_name_problem(plain: str, folder: str) -> str | None:
    if _climbs(plain) and not _absolute(plain):
        return (
            f"it leads out of the server's {folder} folder: give the name of a file in that "
            "folder (upload it first: a Path value is uploaded when the workflow is submitted)"
        )
    if posixpath.normpath(plain) == "." or ntpath.normpath(plain) == ".":
        return f"it names the server's {folder} folder itself, not a file in it"
    return None


def own_check_of(class_type: str, input_name: str) -> str | None:
    """What kind of file the node's own check looks for in this input, or None."""
    found = OWN_FILE_CHECKS.get(class_type)
    if found is None or found[0] != input_name:
        return None
    return found[1]


def listed_name(name: str) -> str | None:
    """The name to look for in the server's list of input files, or None where the list cannot
    say (a file of another folder, or in a subfolder: the list has the input folder's own files)."""
    plain, folder = split_folder(name)
    if folder != "input" or "/" in plain or "\\" in plain:
        return None
    return plain


__all__ = [
    "FOLDER_SUFFIXES",
    "OWN_FILE_CHECKS",
    "file_name_problem",
    "listed_name",
    "own_check_of",
    "plainly_relative",
    "prefix_problem",
    "split_folder",
]
