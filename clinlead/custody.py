"""The custodians' side of sealed boxes, for every app that seals (surveys, ballots, 360s):
the forms that make the key files at opening and take them back at close, and the download that
hands the key files out once. The cryptography itself is in `clinlead.sealing`.
"""

import io
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.utils.text import slugify

from clinlead import sealing

MAX_KEY_FILE_BYTES = 16_384


class CustodiansForm(forms.Form):
    """At opening: one or two custodians choose passphrases; Clinlead never stores them."""

    passphrase_1 = forms.CharField(
        label="First custodian's passphrase",
        widget=forms.PasswordInput(render_value=False),
        min_length=sealing.MIN_PASSPHRASE_LENGTH,
        max_length=200,
        help_text=(
            f"At least {sealing.MIN_PASSPHRASE_LENGTH} characters. "
            "Without it the answers can never be read."
        ),
    )
    passphrase_2 = forms.CharField(
        label="Second custodian's passphrase (optional)",
        widget=forms.PasswordInput(render_value=False),
        min_length=sealing.MIN_PASSPHRASE_LENGTH,
        max_length=200,
        required=False,
        help_text="With two custodians, both are needed to open the answers at close.",
    )

    def passphrases(self) -> list[str]:
        return [
            p
            for p in (self.cleaned_data["passphrase_1"], self.cleaned_data.get("passphrase_2"))
            if p
        ]


class KeyReturnForm(forms.Form):
    """At close: every custodian's key file and passphrase."""

    key_file_1 = forms.FileField(label="First custodian's key file")
    passphrase_1 = forms.CharField(
        label="First custodian's passphrase",
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )
    key_file_2 = forms.FileField(
        label="Second custodian's key file (if there are two)", required=False
    )
    passphrase_2 = forms.CharField(
        label="Second custodian's passphrase",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    def clean(self):
        data = super().clean()
        for number in (1, 2):
            upload = data.get(f"key_file_{number}")
            if upload is not None and upload.size > MAX_KEY_FILE_BYTES:
                self.add_error(
                    f"key_file_{number}", "This is not a Clinlead key file: it is too large."
                )
            if bool(upload) != bool(data.get(f"passphrase_{number}")):
                self.add_error(f"passphrase_{number}", "Give each key file with its passphrase.")
        return data

    def key_material(self) -> tuple[list[bytes], list[str]]:
        files, passphrases = [], []
        for number in (1, 2):
            upload = self.cleaned_data.get(f"key_file_{number}")
            if upload:
                files.append(upload.read(MAX_KEY_FILE_BYTES + 1))
                passphrases.append(self.cleaned_data[f"passphrase_{number}"])
        return files, passphrases


def key_files_download(*, keys: sealing.CustodyKeys, name: str) -> HttpResponse:
    """The key files, handed out once: a .json for one custodian, a .zip of both for two."""
    stem = slugify(name) or "clinlead"
    if len(keys.key_files) == 1:
        response = HttpResponse(keys.key_files[0], content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{stem}-custody-key.json"'
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for number, content in enumerate(keys.key_files, start=1):
                archive.writestr(
                    f"{stem}-custody-key-{number}-of-{len(keys.key_files)}.json", content
                )
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{stem}-custody-keys.zip"'
    response["Cache-Control"] = "no-store"
    return response


# The demo's custodians: every key file the demo makes (open surveys, ballots, 360s) is left in one
# folder with one passphrase, so whoever tries the demo can close them in the browser. A real key
# file is downloaded once by its custodian and never stored by Clinlead.
DEMO_PASSPHRASE = "clinlead-demo-custodian"


def demo_key_folder() -> Path:
    return Path(
        getattr(settings, "DEMO_KEY_DIR", None) or Path(settings.DATA_DIR) / "demo-custody-keys"
    )


def demo_note() -> str:
    """One line for the demo's login list: where the key files are and what opens them."""
    return (
        f"Custody key files (surveys, ballots, 360s): {demo_key_folder()} "
        f"(passphrase for each: {DEMO_PASSPHRASE}); upload one to close what it opens."
    )
