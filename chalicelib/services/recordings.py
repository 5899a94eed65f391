"""Copying call recordings from the PBX to S3 (SPEC TE-2), one attempt per call of `fetch`.

The RecordingFetch state machine drives it: it waits the delay Zadarma advises (~40 s after the
event), calls `fetch`, and while the PBX answers "File not found" (or limits our rate, or is
down) waits and calls again; after the last attempt, or on any other failure, `mark_failed`
records the reason on the call. A copy that already succeeded is not repeated.
When the call has no transcript once its recording is copied, the workflow goes on asking the
PBX's speech-recognition endpoint (`fetch_transcript`) while it answers "in progress": the
fallback for a SPEECH_RECOGNITION event that never came. A transcript is optional: not getting
one never marks the recording failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.domain.telephony import RecordingState, transcript_text
from chalicelib.observability import logger
from chalicelib.ports.failures import failure_reason
from chalicelib.ports.pbx import Pbx, PbxClient, PbxError, PbxRateLimitedError, PbxUnavailableError

if TYPE_CHECKING:
    from chalicelib.ports.outside import FileStore
    from chalicelib.ports.storage import Calls, Storage

NOT_READY_WORDS = ("not found", "not ready", "no file")
# The workflow's `transcript`: ask again later ("wanted"), or stop asking ("done": stored, or
# "none": there will be none: recognition off, failed, or the call is gone).
TRANSCRIPT_WANTED, TRANSCRIPT_DONE, TRANSCRIPT_NONE = "wanted", "done", "none"


def recording_key(tenant_id: str, call_id: str, extension: str = "mp3") -> str:
    return f"tenants/{tenant_id}/recordings/{call_id}.{extension}"


def audio_type(content: bytes) -> tuple[str, str]:
    """(extension, content type) of a recording: Zadarma serves MP3; a WAV is kept as one."""
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        return "wav", "audio/wav"
    return "mp3", "audio/mpeg"


class RecordingService:
    def __init__(self, storage: Storage, pbx: Pbx, files: FileStore) -> None:
        self._storage = storage
        self._pbx = pbx
        self._files = files

    def fetch(self, job: dict[str, Any]) -> dict[str, Any]:
        """One attempt: the job back with `status` ready | not_ready | failed and `attempt` + 1."""
        tenant_id, call_id, record_id = job["tenant_id"], job["call_id"], job.get("record_id")
        # Every answer carries `transcript`: the workflow's choices read it.
        result = {**job, "attempt": int(job.get("attempt", 0)) + 1, "transcript": TRANSCRIPT_NONE}
        calls = self._storage.calls(tenant_id)
        call = calls.get(call_id)
        if call is None:
            return {**result, "status": "failed", "error": "the call is gone"}
        if call.recording is RecordingState.READY:
            wanted = call.transcript is None and record_id
            return {**result, "status": "ready", "transcript": TRANSCRIPT_WANTED if wanted else TRANSCRIPT_DONE}
        client = self._pbx.client(tenant_id)
        if client is None:
            return {**result, "status": "failed", "error": "the PBX API keys are not set"}
        try:
            links = client.record_links(call_id=record_id) if record_id else client.record_links(pbx_call_id=call_id)
            if not links:
                return {**result, "status": "not_ready", "error": "no link yet"}
            content = client.download(links[0])
        except (PbxRateLimitedError, PbxUnavailableError) as exc:
            return {**result, "status": "not_ready", "error": exc.message}
        except PbxError as exc:
            if any(word in exc.message.lower() for word in NOT_READY_WORDS):
                return {**result, "status": "not_ready", "error": exc.message}
            return {**result, "status": "failed", "error": exc.message}
        extension, content_type = audio_type(content)
        key = recording_key(tenant_id, call_id, extension)
        self._files.put(key, content, content_type)
        stored = calls.set_recording(call_id, RecordingState.READY, key=key)
        transcript = TRANSCRIPT_DONE
        if stored is not None:
            calls.write_feed_entry(stored)
            if stored.transcript is None and record_id:
                transcript = self._transcript(calls, client, call_id, record_id)
        logger.info("recording copied", extra={"tenant_id": tenant_id, "call_id": call_id, "bytes": len(content)})
        return {**result, "status": "ready", "transcript": transcript}

    def fetch_transcript(self, job: dict[str, Any]) -> dict[str, Any]:
        """One more request for the transcript: the job back with `transcript` and
        `transcript_attempt` + 1."""
        tenant_id, call_id, record_id = job["tenant_id"], job["call_id"], job.get("record_id")
        result = {**job, "transcript_attempt": int(job.get("transcript_attempt", 0)) + 1}
        calls = self._storage.calls(tenant_id)
        call = calls.get(call_id)
        if call is None or not record_id:
            return {**result, "transcript": TRANSCRIPT_NONE}
        if call.transcript is not None:  # the SPEECH_RECOGNITION event brought it meanwhile
            return {**result, "transcript": TRANSCRIPT_DONE}
        client = self._pbx.client(tenant_id)
        if client is None:
            return {**result, "transcript": TRANSCRIPT_NONE}
        return {**result, "transcript": self._transcript(calls, client, call_id, record_id)}

    def mark_failed(self, job: dict[str, Any]) -> dict[str, Any]:
        reason = failure_reason(job.get("error"))
        calls = self._storage.calls(job["tenant_id"])
        stored = calls.set_recording(job["call_id"], RecordingState.FAILED, error=reason)
        if stored is not None:
            calls.write_feed_entry(stored)
        logger.warning("recording not copied", extra={"tenant_id": job["tenant_id"], "call_id": job["call_id"]})
        return {**job, "status": "failed", "error": reason}

    def _transcript(self, calls: Calls, client: PbxClient, call_id: str, record_id: str) -> str:
        """Ask the PBX for the call's transcript and store it; what the workflow does next."""
        try:
            transcript = client.speech_recognition(record_id)
        except (PbxRateLimitedError, PbxUnavailableError):
            return TRANSCRIPT_WANTED
        except PbxError:
            return TRANSCRIPT_NONE  # optional: the SPEECH_RECOGNITION event may still bring it
        # zadarma.md: in progress | error | recognized | ready for recognize | not available for recognize
        if transcript.status == "in progress":
            return TRANSCRIPT_WANTED
        if transcript.status != "recognized":
            return TRANSCRIPT_NONE
        text = transcript_text({"phrases": [{"result": t, "channel": c} for c, t in transcript.phrases]})
        if not text:
            return TRANSCRIPT_NONE
        # Only a recognised transcript is indexed: the recording's copy and its failure never load the terms.
        from chalicelib.domain.search import call_terms

        calls.set_transcript(call_id, text, call_terms(None, None, text))
        return TRANSCRIPT_DONE
