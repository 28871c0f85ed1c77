"""Development mail: each message is written to a file readable by its owner only.

The console backend prints every message to the server's output, and survey reminders carry live
single-use links: anyone reading the logs could answer in someone's name, or, with the log's times,
date when a link was used. Here each message becomes one .eml file under <data folder>/mail/
(folder 0700, files 0600), out of every log. Production uses a real mail server (SMTP), never this.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def __init__(self, *, file_path=None, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        folder = (
            file_path
            or getattr(settings, "EMAIL_FILE_PATH", None)
            or Path(settings.DATA_DIR) / "mail"
        )
        self.folder = Path(folder)

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        sent = 0
        for message in email_messages:
            try:
                self._write(message)
            except OSError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _write(self, message):
        path = self.folder / f"{secrets.token_hex(8)}.eml"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(message.message().as_bytes(linesep="\n"))
