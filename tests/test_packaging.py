"""`pip install .` (not editable) into a fresh virtual environment, run from another directory, finds the
rule files shipped inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_rules_and_runs_from_anywhere(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("phraselint-*.whl")
    with zipfile.ZipFile(wheel) as archive:  # typed (PEP 561), runnable with -m, and the language server
        names = set(archive.namelist())
    assert {"phraselint/py.typed", "phraselint/__main__.py", "phraselint/lsp/server.py"} <= names
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True
    )
    # The dependencies come from the environment running the tests, behind the new environment's own
    # packages; added after the install, or pip would find the outer environment's phraselint and skip it.
    inner = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(inner, "outer-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import phraselint.data.catalogue as c; print(c.builtin_rules_dir())"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where
    shipped = {p.name for p in Path(where).glob("*.*")}
    data = {p.name for p in (ROOT / "rules").iterdir() if p.suffix in (".yml", ".tsv")}
    assert shipped >= data and "codes.yml" in shipped and "tone.tsv" in shipped
    script = env_dir / "bin" / "phraselint"
    listed = subprocess.run([str(script), "rules", "list"], cwd=elsewhere, capture_output=True, text=True)
    assert listed.returncode == 0 and "dont-know" in listed.stdout, listed.stderr
    checked = subprocess.run(
        [str(script), "check", "-"],
        cwd=elsewhere,
        input="不知道。",
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert checked.returncode == 1 and "dont-know" in checked.stdout, checked.stderr
