"""``comfydsl jobs``: where each job of a sweep stands, from its journal.

    comfydsl jobs results/                   # every job: state, server, files or error
    comfydsl jobs results/ --state failed    # only the failed ones
    comfydsl jobs results/comfydsl-journal.sqlite3 --json

The journal is only read (a run may be writing it at the same time). One line a job on standard
output; a count of each state on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import attrs

from comfydsl.cli.output import write_output
from comfydsl.client.journal import STATES, Journal, JournalEntry, journal_path

__all__ = ["add_jobs_command"]


def add_jobs_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``jobs OUT_OR_JOURNAL [--state STATE] [--json]`` to a subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "jobs",
        help="list the jobs of a sweep and where each stands (from its journal)",
        description=(
            "List the jobs a sweep's journal records: state (pending, submitting, queued, "
            "done, failed), the server each went to, its saved files or its error."
        ),
    )
    parser.add_argument(
        "journal", help="the output folder of a sweep (run --out), or its journal file"
    )
    parser.add_argument(
        "--state", choices=STATES, action="append", help="only jobs in this state; repeatable"
    )
    parser.add_argument("--json", action="store_true", help="print the entries as JSON")
    parser.set_defaults(handler=run_jobs)
    return parser


def run_jobs(args: argparse.Namespace) -> int:
    """List the journal of parsed ``jobs`` arguments; returns the exit status."""
    path = journal_path(args.journal)
    with Journal(path, readonly=True) as journal:
        entries = journal.entries()
        counts = journal.counts()
    if args.state:
        entries = [entry for entry in entries if entry.state in args.state]
    if args.json:
        write_output(json.dumps([attrs.asdict(e) for e in entries], indent=2) + "\n")
    else:
        width = max((len(entry.name) for entry in entries), default=0)
        servers = max((len(entry.server or "-") for entry in entries), default=0)
        write_output("".join(_line(entry, width, servers) + "\n" for entry in entries))
    total = sum(counts.values())
    said = ", ".join(f"{count} {state}" for state, count in counts.items() if count)
    print(f"{total} job{'s' if total != 1 else ''}: {said or 'none'} ({path})", file=sys.stderr)
    return 0


def _line(entry: JournalEntry, width: int, servers: int) -> str:
    if entry.state == "done":
        detail = ", ".join(entry.files) or "no files"
    elif entry.state == "failed":
        detail = (entry.error or "").splitlines()[0] if entry.error else ""
    elif entry.state in ("submitting", "queued"):
        detail = f"prompt {entry.prompt_id}"
    else:
        detail = ""
    server = entry.server or "-"
    return f"{entry.state:<10}  {entry.name:<{width}}  {server:<{servers}}  {detail}".rstrip()
