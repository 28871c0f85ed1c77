"""Development mail goes to private files, never to the server's output (links in it are live)."""

import stat

from django.core.mail import get_connection, send_mail


def test_a_message_is_written_to_a_file_only_its_owner_can_read_and_nothing_is_printed(
    tmp_path, capsys, settings
):
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    connection = get_connection("clinlead.mailfiles.EmailBackend")
    sent = send_mail(
        "Your survey link",
        "Your personal link (it works once): http://x/survey/s/SECRET/",
        "clinlead@localhost",
        ["nurse@example.org"],
        connection=connection,
    )
    assert sent == 1
    (written,) = (tmp_path / "mail").iterdir()
    assert "SECRET" in written.read_text()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "mail").stat().st_mode) == 0o700
    printed = capsys.readouterr()
    assert "SECRET" not in printed.out and "SECRET" not in printed.err


def test_two_messages_make_two_files(tmp_path, settings):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    connection = get_connection("clinlead.mailfiles.EmailBackend")
    for n in range(2):
        send_mail(f"m{n}", "body", "a@b.c", ["d@e.f"], connection=connection)
    assert len(list(tmp_path.glob("*.eml"))) == 2
