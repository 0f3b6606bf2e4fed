"""The cablekit command: thin over the library API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Convert and validate cables.")


@app.command()
def convert(
    inputs: Annotated[list[Path], typer.Argument(help="Cable files or folders.")],
    to: Annotated[str, typer.Option("-t", "--to", help="Output format.")] = "text",
    out: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("out"),
) -> None:
    """Convert cables to another format, one output file per input."""
    import cablekit

    failures = 0
    files: list[Path] = []
    for item in inputs:
        files.extend(sorted(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else [item])
    out.mkdir(parents=True, exist_ok=True)
    for path in files:
        try:
            data = cablekit.dumps(cablekit.read(path), to)
        except cablekit.CablekitError as e:
            typer.echo(f"{e}", err=True)
            failures += 1
            continue
        target = out / (path.stem + {"text": ".txt"}.get(to, "." + to))
        target.write_bytes(data)
        typer.echo(f"{path} -> {target}")
    raise typer.Exit(1 if failures else 0)


@app.command()
def version() -> None:
    """Print the version."""
    import cablekit

    typer.echo(cablekit.__version__)


def main() -> None:
    app()
