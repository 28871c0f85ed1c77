"""`clinlead backup` never overwrites: a scheduled backup that names yesterday's file by mistake
must fail, not replace the only good copy. (The backup itself is tested by the restore drill.)"""

import pytest
from django.core.management import CommandError, call_command


def test_a_backup_never_overwrites_an_existing_file(tmp_path):
    kept = tmp_path / "clinlead-2026-12-04.dump"
    kept.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(kept))
    assert kept.read_bytes() == b"yesterday's backup"
