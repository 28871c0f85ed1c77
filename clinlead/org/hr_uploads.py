"""HR files waiting between "check" and "apply": they hold names, gender and ethnicity, so they
are readable by Clinlead's own account only (0600, in a 0700 folder) and never kept: deleted
when applied, and by `delete_stale_uploads` (run at every upload and by
`clinlead delete-stale-uploads`, e.g. from cron) once older than CLINLEAD_HR_UPLOAD_KEEP_HOURS.
"""

import os
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
    descriptor = os.open(upload_dir() / f"{token}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    return token


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
