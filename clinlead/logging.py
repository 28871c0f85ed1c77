"""Log hygiene: survey links are secrets, so their tokens never reach a log line."""

import logging
import re

SURVEY_LINK = re.compile(r"/survey/s/[^/\s\"']+")


class RedactSurveyLinks(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if "/survey/s/" in message:
            record.msg = SURVEY_LINK.sub("/survey/s/[link]", message)
            record.args = ()
        return True
