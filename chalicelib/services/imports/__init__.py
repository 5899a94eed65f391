"""Imports of clients and leads (SPEC IM-1..3, IM-5, CL-9), driven by the ContactImport workflow.

The API creates an import and hands out where to upload the file; `preview` reads its header
and first rows and suggests a mapping; `start` checks the mapping and starts the workflow. The
workflow calls `step` until it says done:
1. the first step reads the whole file once (CSV in any common encoding, or .xlsx, streamed)
   into chunk files of CHUNK_ROWS rows in S3 and counts them (`total`, for progress);
2. each next step imports one chunk: rows are read and checked, their phones and emails looked
   up in one BatchGetItem per 100 values, the chunk's undo log is written to S3, the new contacts'
   guards are claimed in conditional transactions of 100 and everything else is written with
   BatchWriteItem (25 items a request); rows matching a contact follow the duplicate policy;
   bad rows go to the chunk's part of the report; then one conditional update counts the chunk;
3. the last step joins the report parts into `errors.csv` and closes the import.
A step repeated after a crash writes the same items again (contact ids derive from the import and
the row) and its chunk is counted once. Undo walks the undo logs the same way, chunk by chunk.

The modules, in the order of the work: `service` (the API's calls and the workflow's tasks),
`source` (the file, read as rows and split into chunks), `planner` (what a chunk's rows come to),
`importing` (a chunk's writes), `undo` (undo logs and the undo), `report` (the rows not imported
as they were), `progress` (a chunk counted once).
"""

from chalicelib.services.imports.service import IMPORT_MACHINE, ImportService, Preview, UploadTarget, import_right

__all__ = [
    "IMPORT_MACHINE",
    "ImportService",
    "Preview",
    "UploadTarget",
    "import_right",
]
