"""Generate the Inputs/Outputs/Resources tables of Terraform module READMEs (a small terraform-docs).

terraform-docs is not installable from the registries this project uses, so this reads the `terraform fmt`-ed
sources directly: top-level ``variable``/``output``/``resource``/``module`` blocks and their attributes at
two-space indent. The tables go between ``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->`` in each
directory's README.md. ``--check`` fails (exit 1) when a README is out of date, for `make lint`.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"

BLOCK_START = re.compile(r'^(variable|output|resource|module|data) "([^"]+)"(?: "([^"]+)")? \{$')
ATTRIBUTE = re.compile(r"^  ([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


@dataclass
class Block:
    kind: str
    name: str
    label: str | None
    attributes: dict[str, str]


def _balance(text: str) -> int:
    """Open minus closed brackets, ignoring those inside double-quoted strings."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth


def _join(parts: list[str]) -> str:
    """Join the lines of a multi-line value; object attributes on separate lines get a comma between them."""
    text = ""
    for part in (p for p in parts if p):
        if text and not text.endswith(("{", "(", "[", ",")) and not part.startswith(("}", ")", "]")):
            text += ","
        text += " " + part if text else part
    return text


def parse_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        match = BLOCK_START.match(lines[i])
        i += 1
        if not match:
            continue
        block = Block(match.group(1), match.group(2), match.group(3), {})
        while i < len(lines) and lines[i] != "}":
            attr = ATTRIBUTE.match(lines[i])
            i += 1
            if not attr:
                continue
            value = [attr.group(2)]
            depth = _balance(attr.group(2))
            while depth > 0 and i < len(lines):
                value.append(lines[i].strip())
                depth += _balance(lines[i])
                i += 1
            block.attributes[attr.group(1)] = _join(value)
        blocks.append(block)
    return blocks


def _unquote(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1].replace('\\"', '"')
    return value


def _cell(value: str) -> str:
    value = re.sub(r"\s+", " ", value).replace("|", "\\|")
    value = re.sub(r"([\[{(]) ", r"\1", value)
    return re.sub(r",? ([\]})])", r"\1", value)


def _code(value: str) -> str:
    return f"`{_cell(value)}`"


def render(directory: Path) -> str:
    blocks = [b for f in sorted(directory.glob("*.tf")) for b in parse_blocks(f)]
    variables = sorted((b for b in blocks if b.kind == "variable"), key=lambda b: b.name)
    outputs = sorted((b for b in blocks if b.kind == "output"), key=lambda b: b.name)
    resources = sorted(
        (b for b in blocks if b.kind in {"resource", "module"}), key=lambda b: (b.kind, b.name, b.label or "")
    )

    out = [BEGIN, "## Inputs", ""]
    if variables:
        out += [
            "| Name | Description | Type | Default | Required |",
            "|------|-------------|------|---------|:--------:|",
        ]
        for v in variables:
            default = v.attributes.get("default")
            out.append(
                f"| `{v.name}` | {_cell(_unquote(v.attributes.get('description', '')))} "
                f"| {_code(v.attributes.get('type', 'any'))} | {_code(default) if default is not None else 'n/a'} "
                f"| {'no' if default is not None else 'yes'} |"
            )
    else:
        out.append("No inputs.")
    out += ["", "## Outputs", ""]
    if outputs:
        out += ["| Name | Description |", "|------|-------------|"]
        out += [f"| `{o.name}` | {_cell(_unquote(o.attributes.get('description', '')))} |" for o in outputs]
    else:
        out.append("No outputs.")
    out += ["", "## Resources", ""]
    for r in resources:
        if r.kind == "module":
            out.append(f"- module `{r.name}` (`{_unquote(r.attributes.get('source', ''))}`)")
        else:
            out.append(f"- `{r.name}.{r.label}`")
    out.append(END)
    return "\n".join(out)


def update(directory: Path, *, check: bool) -> bool:
    """Write (or, with check, compare) the README's generated section; True when it is up to date."""
    readme = directory / "README.md"
    current = readme.read_text() if readme.exists() else f"# {directory.name}\n\n{BEGIN}\n{END}\n"
    if BEGIN not in current or END not in current:
        current = current.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    wanted = head + render(directory) + tail
    if wanted == current:
        return True
    if check:
        print(f"tfdocs: {readme} is out of date; run `make docs`", file=sys.stderr)
        return False
    readme.write_text(wanted)
    print(f"tfdocs: updated {readme}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directories", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="fail when a README is out of date")
    args = parser.parse_args(argv)
    results = [update(d, check=args.check) for d in args.directories]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
