"""Log hygiene: survey and feedback links are secrets, so their tokens never reach a log line."""

import logging
import re

SECRET_LINK = re.compile(r"/(survey/s|development/feedback)/[^/\s\"']+")


class RedactSecretLinks(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if "/survey/s/" in message or "/development/feedback/" in message:
            record.msg = SECRET_LINK.sub(lambda m: f"/{m.group(1)}/[link]", message)
            record.args = ()
        return True
