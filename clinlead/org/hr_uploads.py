"""HR files waiting between "check" and "apply": they hold names, gender and ethnicity, so they
are readable by Clinlead's own account only (0600, in a 0700 folder) and never kept: deleted
when applied, and by `delete_stale_uploads` (run at every upload and by
`clinlead delete-stale-uploads`, e.g. from cron) once older than CLINLEAD_HR_UPLOAD_KEEP_HOURS.

The page keeps what the apply step needs (organisation, options) in the uploader's session; the
API has no session, so `store_pending` keeps it in a private file beside the upload, deleted with
it.
"""

import json
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings


def upload_dir() -> Path:
    path = settings.DATA_DIR / "uploads" / "hr"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def store_upload(content: bytes, suffix: str) -> str:
    """Keep the file for its apply step; return the token that names it."""
    delete_stale_uploads()
    token = secrets.token_urlsafe(16)
    _write_private(upload_dir() / f"{token}{suffix}", content)
    return token


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)


# What store_upload's tokens look like: anything else names no upload (and no other file).
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def store_pending(content: bytes, suffix: str, about: dict) -> str:
    """Keep the file and what its apply step needs (`about`, plain JSON); return its token."""
    token = store_upload(content, suffix)
    _write_private(upload_dir() / f"{token}.json", json.dumps({**about, "suffix": suffix}).encode())
    return token


def pending(token: str) -> dict | None:
    """What store_pending kept with this token, or None when there is no such upload (any more)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    try:
        about = json.loads((upload_dir() / f"{token}.json").read_text())
    except (OSError, ValueError):
        return None
    return about if upload_path(token, about["suffix"]).is_file() else None


def discard_pending(token: str, suffix: str) -> None:
    upload_path(token, suffix).unlink(missing_ok=True)
    (upload_dir() / f"{token}.json").unlink(missing_ok=True)


def upload_path(token: str, suffix: str) -> Path:
    return upload_dir() / f"{token}{suffix}"


def delete_stale_uploads(*, now: float | None = None) -> int:
    """Delete uploads older than the keeping time; return how many."""
    keep = getattr(settings, "CLINLEAD_HR_UPLOAD_KEEP_HOURS", 24) * 3600
    now = time.time() if now is None else now
    deleted = 0
    for path in upload_dir().iterdir():
        if path.is_file() and now - path.stat().st_mtime > keep:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
