"""The code's shape stays as documented: the README's layout names every module, and sim/ has no import cycle."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sim/core", "sim/run", "sim/demo", "sim/validate", "experiments", "analysis")


def layout_sections() -> dict[str, str]:
    """The README's layout block, one text per top-level folder (its line and the indented lines after)."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    sections: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        head = re.match(r"^(\S+)/\s", line)
        if head:
            current = head.group(1)
            sections[current] = ""
        if current is not None:
            sections[current] += line + "\n"
    return sections


def modules(package: str) -> list[str]:
    return sorted(p.stem for p in (ROOT / package).glob("*.py") if not p.stem.startswith("__"))


@pytest.mark.parametrize("package", PACKAGES)
def test_the_readme_layout_names_every_module(package):
    sections = layout_sections()
    assert package in sections, f"README layout has no line for {package}/"
    missing = [m for m in modules(package) if not re.search(rf"(?<![\w/]){re.escape(m)}(?!\w)", sections[package])]
    assert missing == [], f"README layout of {package}/ does not name {', '.join(missing)}"


def runtime_imports(path: Path, names: set[str]) -> set[str]:
    """Modules of ``names`` that ``path`` imports when it runs (``if TYPE_CHECKING:`` blocks left out)."""
    tree = ast.parse(path.read_text())
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for child in node.body for n in ast.walk(child)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            candidates = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c in names}
    return found


def test_sim_has_no_import_cycle():
    files = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (ROOT / "sim").rglob("*.py")}
    graph = {name: runtime_imports(path, set(files)) - {name} for name, path in files.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycles.append(" -> ".join(stack[stack.index(other):] + [name, other]))
            elif other not in state:
                visit(other, [*stack, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []
