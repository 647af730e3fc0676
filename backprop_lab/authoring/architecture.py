"""The structure of the package, measured from its source: rooms, import arrows, cycles, sizes.

Each module lives in one room; rooms are ordered from the ground up, and an import should only
point down (or stay in its room). ``python -m backprop_lab.authoring.architecture`` writes the figures into
``docs/architecture.md``; ``tests/test_architecture.py`` checks that the page says what the code
is. Every import counts, the ones inside functions too: a lazy import is still an arrow.
"""
import ast
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PAGE = PACKAGE_DIR.parent / "docs" / "architecture.md"
MAX_LINES = 300                    # a module longer than this has more than one job
LONG_ALLOWED = ("authoring.figures",)  # the drawings, one function per figure: long by nature (with submodules)
TYPED_ROOMS = ("judging", "pipeline", "results")  # their public functions carry type hints

# Rooms from the ground up: (name, what it owns, module-name prefixes). A prefix ending in "."
# takes a whole subpackage.
ROOMS = [
    ("layout", "where every folder of the course is", ("paths",)),
    ("student", "what the notebooks import; shipped in the student kit, imports nothing of ours",
     ("student", "student.")),
    ("reference", "the trusted oracle and the data: never in a student kernel", ("reference", "reference.")),
    ("judging", "what a check may receive, the hidden checks, the mistake catalogue and the recognisers",
     ("judging", "judging.")),
    ("sandbox", "running untrusted notebooks: bubblewrap, the kernel, what runs inside it, the judge",
     ("sandbox", "sandbox.")),
    ("authoring", "building the course: notebooks, figures, samples, the kit, the mutants, this page",
     ("authoring", "authoring.")),
    ("pipeline", "the instructor's loop: collect, stage, autograde, feedback", ("pipeline", "pipeline.")),
    ("results", "what grading left, read back: gradebook, exports, report, the verdict record",
     ("results", "results.")),
    ("command line", "one command per pipeline step", ("cli", "demo", "__main__")),
]


@dataclass(frozen=True)
class Structure:
    lines: dict    # module -> lines of source
    arrows: set    # (importer, imported), both modules of the package
    room: dict     # module -> index in ROOMS (None when no room claims it)
    private: set   # (importer, "module._name"): another module's private name used
    unannotated: set = frozenset()  # ("module", "function"): a public function of TYPED_ROOMS without type hints

    @property
    def upward(self):
        return sorted((a, b) for a, b in self.arrows
                      if None not in (self.room[a], self.room[b]) and self.room[a] < self.room[b])

    @property
    def homeless(self):
        return sorted(module for module, room in self.room.items() if room is None)

    @property
    def cycles(self):
        return [group for group in _strongly_connected(self.lines, self.arrows) if len(group) > 1]

    @property
    def too_long(self):
        return sorted(m for m, n in self.lines.items() if n > MAX_LINES and not _long_allowed(m))


def _long_allowed(module):
    return any(module == allowed or module.startswith(allowed + ".") for allowed in LONG_ALLOWED)


def _public_functions(tree):
    """The module's public functions and its public classes' public methods (and __init__), by name."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                        and (not method.name.startswith("_") or method.name == "__init__"):
                    yield f"{node.name}.{method.name}", method


def _unannotated(tree):
    """Names of the public functions with a parameter or a return type left without a hint."""
    for name, function in _public_functions(tree):
        arguments = function.args
        parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                      *filter(None, (arguments.vararg, arguments.kwarg))]
        if parameters and parameters[0].arg in ("self", "cls"):
            parameters = parameters[1:]
        returns_needed = function.name != "__init__"
        if any(p.annotation is None for p in parameters) or (returns_needed and function.returns is None):
            yield name


def module_name(path, package_dir=PACKAGE_DIR):
    """backprop_lab/pipeline/staging.py -> 'pipeline.staging'; a package's __init__ -> its name."""
    parts = path.relative_to(package_dir).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def _imported(tree, modules):
    """The package's modules that a module's syntax tree imports."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "backprop_lab":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("backprop_lab."):
                base = node.module[len("backprop_lab."):]
                names = {f"{base}.{alias.name}" for alias in node.names}
                found |= (names & modules) or {base}
        elif isinstance(node, ast.Import):
            found |= {alias.name[len("backprop_lab."):] for alias in node.names
                      if alias.name.startswith("backprop_lab.")}
    return found & modules


def _private_uses(tree, modules):
    """{"module._name"}: private names of the package's modules this tree reaches for."""
    aliases, found = {}, set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                and (node.module == "backprop_lab" or node.module.startswith("backprop_lab."))):
            continue
        base = node.module[len("backprop_lab."):]
        for alias in node.names:
            module = f"{base}.{alias.name}" if base else alias.name
            if module in modules:   # a module imported by name: its attributes are read below
                aliases[alias.asname or alias.name] = module
            elif _private(alias.name):
                found.add(module)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                and _private(node.attr):
            found.add(f"{aliases[node.value.id]}.{node.attr}")
    return found


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _room_of(module):
    for index, (_, _, prefixes) in enumerate(ROOMS):
        if any(module == p or (p.endswith(".") and module.startswith(p)) for p in prefixes):
            return index
    return None


def measure(package_dir=PACKAGE_DIR):
    """The Structure of the package's source as it is on disk."""
    paths = {module_name(path, Path(package_dir)): path for path in sorted(Path(package_dir).rglob("*.py"))
             if "__pycache__" not in path.parts}
    paths.pop("__init__", None)  # the package's own docstring
    modules = set(paths)
    lines, arrows, private, unannotated = {}, set(), set(), set()
    for module, path in paths.items():
        source = path.read_text()
        tree = ast.parse(source)
        lines[module] = len(source.splitlines())
        arrows |= {(module, other) for other in _imported(tree, modules) if other != module}
        private |= {(module, name) for name in _private_uses(tree, modules) if not name.startswith(module + ".")}
        if module.split(".")[0] in TYPED_ROOMS:
            unannotated |= {(module, name) for name in _unannotated(tree)}
    return Structure(lines, arrows, {module: _room_of(module) for module in modules}, private, unannotated)


def _strongly_connected(nodes, arrows):
    """Tarjan's strongly connected components: each list is a set of modules that import each other."""
    graph = defaultdict(list)
    for a, b in arrows:
        graph[a].append(b)
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return sorted(groups)


def figures(structure):
    """Markdown: the rooms with their modules, then the figures the page states."""
    total = sum(structure.lines.values())
    largest = max(structure.lines, key=structure.lines.get)
    rows = ["| room | owns | modules (lines) |", "| --- | --- | --- |"]
    for index, (name, owns, _) in enumerate(ROOMS):
        members = sorted(m for m, room in structure.room.items() if room == index)
        rows.append(f"| {name} | {owns} | " + ", ".join(f"`{m}` ({structure.lines[m]})" for m in members) + " |")
    upward = structure.upward
    facts = [
        f"- modules: {len(structure.lines)}, {total:,} lines",
        f"- import arrows between them: {len(structure.arrows)}",
        f"- arrows that point upward: {len(upward)}"
        + (" (" + ", ".join(f"`{a}` → `{b}`" for a, b in upward) + ")" if upward else ""),
        f"- import cycles: {len(structure.cycles)}",
        f"- another module's private name used: {len(structure.private)}"
        + (" (" + ", ".join(f"`{a}` uses `{b}`" for a, b in sorted(structure.private)) + ")"
           if structure.private else ""),
        f"- the largest module: `{largest}`, {structure.lines[largest]} lines, "
        f"{structure.lines[largest] / total:.1%} of the lines",
        f"- modules over {MAX_LINES} lines: {len(structure.too_long)}"
        + (" (" + ", ".join(f"`{m}` {structure.lines[m]}" for m in structure.too_long) + ")"
           if structure.too_long else "")
        + ("; allowed: " + ", ".join(f"`{m}` and its modules" for m in LONG_ALLOWED)
           if any(map(_long_allowed, structure.lines)) else ""),
        f"- public functions of {', '.join(f'`{room}/`' for room in TYPED_ROOMS)} without type hints: "
        f"{len(structure.unannotated)}"
        + (" (" + ", ".join(f"`{m}.{f}`" for m, f in sorted(structure.unannotated)) + ")"
           if structure.unannotated else ""),
    ]
    return "\n".join(rows) + "\n\n" + "\n".join(facts)


MARKERS = re.compile(r"(<!-- figures:architecture -->\n).*?(<!-- /figures -->)", re.DOTALL)


def write_page(structure=None, page=PAGE):
    """Replace the figures between the page's markers by the measured ones. -> the page's path"""
    text = page.read_text()
    if not MARKERS.search(text):
        raise ValueError(f"{page} has no <!-- figures:architecture --> section")
    body = figures(structure or measure())
    page.write_text(MARKERS.sub(lambda match: match.group(1) + body + "\n" + match.group(2), text, count=1))
    return page


def stated(page=PAGE):
    """The figures the page states now (between its markers)."""
    match = MARKERS.search(Path(page).read_text())
    return match.group(0)[len("<!-- figures:architecture -->\n"):-len("<!-- /figures -->")].strip() if match else None


if __name__ == "__main__":
    print(f"architecture: {write_page()}", file=sys.stderr)
