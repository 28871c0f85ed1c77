"""Hostile files for tests, built on the fly (nothing binary is committed)."""

import io
import re
import resource
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MEMORY_CEILING = 1536 * 1024 * 1024


def sheet_claiming_xlsx(header=None) -> bytes:
    """A 5 KB workbook whose only cell (or header row and) is XFD1048576: it claims a sheet of
    1,048,576 rows by 16,384 columns."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(header)
    sheet["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_with_dimension(rows, dimension) -> bytes:
    """An .xlsx whose sheet says it is `dimension` (e.g. "A1:B3") whatever rows it holds."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data
                )
            target.writestr(item, data)
    return patched.getvalue()


def run_bounded(code: str, *, seconds=30, memory=5 * MEMORY_CEILING // 3):
    """Run Python `code` in a child process capped at `memory` bytes of address space and
    `seconds` of CPU; return (exit code, output, CPU seconds taken, peak resident MB). The caps
    keep a runaway reader from taking the machine down; the test asserts the real ceiling.
    CPU seconds, not the clock: on a machine shared with other work the clock measures the
    neighbours (a generous wall-clock timeout still ends a child that hangs)."""
    prelude = textwrap.dedent(f"""
        import atexit, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
        resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))
        sys.path.insert(0, {str(REPO)!r})
        atexit.register(lambda: print(
            "PEAK_MB=%d" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)))
    """)
    before = _children_cpu()
    try:
        child = subprocess.run(
            [sys.executable, "-c", prelude + textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=10 * seconds,
            env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired:
        return None, "timed out", seconds, None
    found = re.search(r"PEAK_MB=(\d+)", child.stdout)
    return (
        child.returncode,
        child.stdout + child.stderr,
        _children_cpu() - before,
        found and int(found[1]),
    )


def _children_cpu():
    """CPU seconds (user and system) used so far by this process's finished children."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime
