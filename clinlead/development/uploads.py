"""Evidence uploads: PDF, PNG, JPEG and Word (.docx) files up to 10 MB, accepted only when the
name's extension AND the content agree. Files are kept under MEDIA_ROOT, named by their content
hash, never served as static files, and written only after every check has passed.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {  # extension -> (content type, label)
    ".pdf": ("application/pdf", "PDF"),
    ".png": ("image/png", "PNG"),
    ".jpg": ("image/jpeg", "JPEG"),
    ".jpeg": ("image/jpeg", "JPEG"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)"),
}
ALLOWED_TEXT = "PDF, PNG, JPEG or Word (.docx)"
SUBDIR = "development/evidence"


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    original_name: str
    extension: str
    content_type: str
    sha256: str

    @property
    def size(self):
        return len(self.content)


def _sniff(content: bytes) -> str | None:
    """The kind of file the bytes really are, by their signature."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    return None


KIND_OF = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".docx": "docx"}


def check_upload(upload, *, max_bytes: int = MAX_BYTES) -> CheckedUpload:
    """Read and check an uploaded file; raise ValidationError saying what is wrong."""
    if upload is None:
        raise ValidationError("Select a file to upload")
    name = PurePath(str(upload.name or "").replace("\\", "/")).name.strip()[:200]
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(f"The file must be a {ALLOWED_TEXT} file")
    size = getattr(upload, "size", None)
    limit_mb = max_bytes // (1024 * 1024)
    if size is not None and size > max_bytes:
        raise ValidationError(f"The file must be smaller than {limit_mb} MB")
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(f"The file must be smaller than {limit_mb} MB")
    if not content:
        raise ValidationError("The file is empty")
    if _sniff(content) != KIND_OF[extension]:
        raise ValidationError(
            f"The file is not a real {ALLOWED[extension][1]} file: its content does not match its name")
    return CheckedUpload(content=content, original_name=name, extension=extension,
                         content_type=ALLOWED[extension][0], sha256=hashlib.sha256(content).hexdigest())


def evidence_root() -> Path:
    return Path(settings.MEDIA_ROOT) / SUBDIR


def stored_name_for(checked: CheckedUpload) -> str:
    return f"{SUBDIR}/{checked.sha256[:2]}/{checked.sha256}{checked.extension}"


def write(checked: CheckedUpload) -> tuple[str, bool]:
    """Write the file (once per content); returns (stored name, whether it was new)."""
    stored = stored_name_for(checked)
    path = Path(settings.MEDIA_ROOT) / stored
    if path.exists():
        return stored, False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(checked.content)
    temporary.replace(path)
    return stored, True


def remove(stored: str):
    (Path(settings.MEDIA_ROOT) / stored).unlink(missing_ok=True)


def path_of(stored: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / stored).resolve()
    if root not in path.parents:
        raise ValueError("evidence path outside MEDIA_ROOT")
    return path
