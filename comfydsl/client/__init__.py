"""Run workflows on a real ComfyUI server: submit, follow, fetch results, errors at your line.

    from comfydsl.client import Client

    with Client("http://127.0.0.1:8188") as client:
        job = client.submit(wf)              # checked against the server's nodes, files uploaded
        result = job.wait(timeout=300)       # follows the run over the WebSocket, with a bar
        result.save("out")                   # every output file, never outside "out"

    with ClientPool(["http://a:8188", "http://b:8188"]) as pool:
        report = pool.run(sweep, out="out", journal=Journal("out/comfydsl-journal.sqlite3"))

Errors are in :mod:`comfydsl.client.errors` (the tree is drawn there).
"""

from __future__ import annotations

from comfydsl.client.errors import (
    AnswerTooLarge,
    BadServerURL,
    ClientError,
    ExecutionFailed,
    ExecutionInterrupted,
    JobLost,
    LocalFileError,
    MalformedAnswer,
    PromptRejected,
    RequestRejected,
    RequestTimeout,
    ServerError,
    ServerLost,
    ServerNodeError,
    ServerUnreachable,
    UnsafeOutputPath,
    WaitTimeout,
)
from comfydsl.client.http import Client, QueueItem, QueueState
from comfydsl.client.job import Job
from comfydsl.client.journal import Journal, JournalEntry, JournalError
from comfydsl.client.pool import ClientPool, JobOutcome, NoServerLeft, ServerStatus, SweepReport
from comfydsl.client.progress import Progress, ProgressBar
from comfydsl.client.results import JobResult, OutputFile
from comfydsl.client.submit import default_extra_data
from comfydsl.client.uploads import UploadedFile
from comfydsl.client.ws import Preview

__all__ = [
    "AnswerTooLarge",
    "BadServerURL",
    "Client",
    "ClientError",
    "ClientPool",
    "ExecutionFailed",
    "ExecutionInterrupted",
    "Job",
    "JobLost",
    "JobOutcome",
    "JobResult",
    "Journal",
    "JournalEntry",
    "JournalError",
    "LocalFileError",
    "MalformedAnswer",
    "NoServerLeft",
    "OutputFile",
    "Preview",
    "Progress",
    "ProgressBar",
    "PromptRejected",
    "QueueItem",
    "QueueState",
    "RequestRejected",
    "RequestTimeout",
    "ServerError",
    "ServerLost",
    "ServerNodeError",
    "ServerStatus",
    "ServerUnreachable",
    "SweepReport",
    "UnsafeOutputPath",
    "UploadedFile",
    "WaitTimeout",
    "default_extra_data",
]
