"""The figures of a run, and the README's table of them."""
from backprop_lab import paths
from backprop_lab.authoring.mutants.parts import BY_CELL, PARTS

README_MARKERS = ("<!-- mutants:start -->", "<!-- mutants:end -->")


def figures(report):
    """label -> {mutants, changed, lost, named, wrong} per part, and "all"."""
    rows = {part.label: dict.fromkeys(("mutants", "changed", "lost", "named", "wrong"), 0) for part in PARTS}
    rows["all"] = dict.fromkeys(("mutants", "changed", "lost", "named", "wrong"), 0)
    for verdict in report.verdicts:
        for label in (BY_CELL[verdict.mutant.cell].label, "all"):
            row = rows[label]
            row["mutants"] += 1
            row["changed"] += verdict.changed
            row["lost"] += verdict.changed and verdict.lost
            row["named"] += bool(verdict.named)
            row["wrong"] += bool(verdict.wrongly_named)
    return rows


def survivors(report):
    """Mutants that change the outputs and lose no point."""
    return [v for v in report.verdicts if v.changed and not v.lost]


def false_names(report):
    return [v for v in report.verdicts if v.wrongly_named]


def table(report):
    """Markdown: the figures per part, then the correct rewrites."""
    def percent(part, whole):
        return f"{part / whole:.0%}" if whole else "–"

    lines = ["| part | mutants | changed outputs | lost points | named a mistake | named wrongly |",
             "|---|---|---|---|---|---|"]
    for label, row in figures(report).items():
        cells = [f"{row['mutants']}", f"{row['changed']}", f"{row['lost']} ({percent(row['lost'], row['changed'])})",
                 f"{row['named']}", f"{row['wrong']}"]
        if label == "all":
            label, cells = "**all**", [f"**{cell}**" for cell in cells]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    kept = sum(not any(failures.values()) for _, failures in report.rewrites)
    samples = sum(name.startswith("samples/") for name, _ in report.rewrites)
    classic = sum(name.endswith(": classic") for name, _ in report.rewrites)
    lines += ["", f"{kept} of {len(report.rewrites)} correct rewrites kept full marks "
                  f"({len(report.rewrites) - samples - classic} generated, {classic} classic answers, "
                  f"{samples} correct samples)."]
    return "\n".join(lines)


def write_readme(text, readme=paths.COURSE_DIR / "README.md"):
    """Put the table between the README's mutants markers."""
    start, end = README_MARKERS
    content = readme.read_text()
    if start not in content or end not in content:
        raise ValueError(f"{readme} has no {start} ... {end} markers")
    before, rest = content.split(start, 1)
    readme.write_text(f"{before}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")
    return readme
