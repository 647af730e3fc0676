"""The AST mutator: generic mutants of an answer, and the catalogue's forms as mutants that declare them."""
import ast
import copy
from dataclasses import dataclass, field

from backprop_lab.authoring.mutants.parts import CLASSIC, FORMS, PARTS


@dataclass
class Mutant:
    cell: str
    seed: str                  # "reference" or "classic"
    operator: str
    where: str                 # the change, for a person
    source: str
    declares: set = field(default_factory=set)   # catalogued mistakes this mutant is a form of


PRESENTATION_CALLS = {"set_title", "set_axis_off", "axis", "tight_layout", "suptitle", "set_xticks", "set_yticks"}
MUTABLE_KEYWORDS = {"axis", "order", "mode", "constant_values"}
CONFUSABLE = [("One", "Two"), ("HL", "OL"), ("row", "col"), ("weightedSum", "activations"), ("z2", "a2"),
              ("a1", "a2"), ("delta2", "delta3"), ("rows", "cols")]
SWAPPABLE = (ast.Sub, ast.Div, ast.MatMult, ast.Pow, ast.FloorDiv, ast.Mod)
OTHER_OPERATOR = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.MatMult: ast.Mult,
                  ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
                  ast.GtE: ast.Gt}
SWAPPED_CALLS = {"sum": "mean", "mean": "sum", "ceil": "floor", "mySigmoidGradient": "mySigmoid"}
DROPPABLE_METHODS = {"copy", "sum", "mean", "ravel", "flatten"}
# Calls never dropped: no one forgets them, and a grid of n x n plots for n units takes seconds to draw.
KEPT_CALLS = {"range", "enumerate", "len", "zeros", "sqrt"}


def _slots(module):
    """Every (parent, field, index) inside the module's function bodies, in a fixed pre-order."""
    found = []

    def visit(node):
        for name, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if not isinstance(item, ast.AST) or isinstance(item, (ast.expr_context, ast.JoinedStr)):
                    continue
                if _presentation(item) or (isinstance(item, ast.keyword) and item.arg not in MUTABLE_KEYWORDS):
                    continue  # what only dresses the figure, and keywords such as figsize or dtype
                found.append((node, name, index if isinstance(value, list) else None))
                visit(item)

    for function in [node for node in module.body if isinstance(node, ast.FunctionDef)]:
        for index, statement in enumerate(function.body):
            if index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                continue  # the docstring
            found.append((function, "body", index))
            visit(statement)
    return found


def _presentation(node):
    """A call (or statement of one) that only dresses the figure: never mutated."""
    call = node.value if isinstance(node, ast.Expr) else node
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in PRESENTATION_CALLS


def _get(slot):
    parent, name, index = slot
    value = getattr(parent, name)
    return value[index] if index is not None else value


def _set(slot, node):
    parent, name, index = slot
    if index is None:
        setattr(parent, name, node)
    else:
        getattr(parent, name)[index] = node


def call_name(node):
    if isinstance(node, ast.Call):
        return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    return None


def _variants(node, slot, names):
    """(operator, replacement) for one node: the generic mutation operators."""
    parent = slot[0]
    c = copy.deepcopy
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, SWAPPABLE):
            yield "swap operands", ast.BinOp(c(node.right), node.op, c(node.left))
        if type(node.op) in OTHER_OPERATOR:
            yield "operator", ast.BinOp(c(node.left), OTHER_OPERATOR[type(node.op)](), c(node.right))
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult)):
            yield "drop term", c(node.left)
        if isinstance(node.op, (ast.Add, ast.Mult)):
            yield "drop term", c(node.right)
        if isinstance(node.op, ast.Sub):
            yield "drop term", ast.UnaryOp(ast.USub(), c(node.right))
        if isinstance(node.op, ast.MatMult):
            yield "transpose", ast.BinOp(ast.Attribute(c(node.left), "T", ast.Load()), node.op, c(node.right))
            yield "transpose", ast.BinOp(c(node.left), node.op, ast.Attribute(c(node.right), "T", ast.Load()))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in OTHER_OPERATOR:
        yield "operator", ast.Compare(c(node.left), [OTHER_OPERATOR[type(node.ops[0])]()], c(node.comparators))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "sign", c(node.operand)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        news = {value + 1, value - 1, 0} if isinstance(value, int) else {2 * value, value / 2, 0.0}
        for new in sorted(news - {value}):
            yield "constant", ast.Constant(new)
    elif isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is not None:
                yield "slice bound", _with(node, **{bound: None})
                if not isinstance(value, ast.Constant):
                    for op in (ast.Add(), ast.Sub()):
                        yield "slice bound", _with(node, **{bound: ast.BinOp(c(value), op, ast.Constant(1))})
        if isinstance(node.lower, ast.Constant) and node.lower.value == 1 and node.upper is None:
            yield "slice bound", ast.Slice(None, ast.Constant(-1), None)
    elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        if not (isinstance(node.value, ast.Attribute) and node.value.attr in ("c_", "r_")):  # np.c_ alone never ends
            yield "drop subscript", c(node.value)
    elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.ctx, ast.Load):
        yield "swap indices", ast.Tuple([c(node.elts[1]), c(node.elts[0])], ast.Load())
    elif isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, ast.Constant):
        yield "axis", ast.keyword("axis", ast.Constant(1 - node.value.value))
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose", c(node.value)
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        for one, other in CONFUSABLE:
            for a, b in ((one, other), (other, one)):
                if a in node.id and node.id.replace(a, b) in names:
                    yield "confused name", ast.Name(node.id.replace(a, b), ast.Load())
    elif isinstance(node, ast.Call):
        yield from _call_variants(node)
    elif isinstance(node, ast.stmt) and isinstance(parent, (ast.FunctionDef, ast.For, ast.If)):
        if isinstance(node, ast.AugAssign) or isinstance(node, ast.Expr) or (
                isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)):
            yield "drop statement", ast.Pass()
    if isinstance(node, ast.If):
        yield "drop condition", ast.If(ast.Constant(True), c(node.body), c(node.orelse))


def _call_variants(node):
    c = copy.deepcopy
    name = call_name(node)
    if name in ("ravel", "reshape", "flatten") and not any(k.arg == "order" for k in node.keywords):
        yield "column order", _with(node, keywords=c(node.keywords) + [ast.keyword("order", ast.Constant("F"))])
    if name in SWAPPED_CALLS:
        func = c(node.func)
        setattr(func, "attr" if isinstance(func, ast.Attribute) else "id", SWAPPED_CALLS[name])
        yield "other function", _with(node, func=func)
    if node.args and not node.keywords and name not in KEPT_CALLS:
        yield "drop call", c(node.args[0])
    if isinstance(node.func, ast.Attribute) and name in DROPPABLE_METHODS and not node.args:
        yield "drop call", c(node.func.value)
    if len(node.args) == 2 and name not in ("subplots", "range"):
        yield "swap arguments", _with(node, args=[c(node.args[1]), c(node.args[0])])


def _with(node, **fields):
    new = copy.deepcopy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _defined_names(module):
    names = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _short(text, limit=70):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def mutate(cell, source, seed):
    """Every generic mutant of one answer, deduplicated, none equal to it. -> [Mutant]"""
    module = ast.parse(source)
    original = ast.unparse(module)
    names = _defined_names(module)
    found = {}
    for position, slot in enumerate(_slots(module)):
        node = _get(slot)
        for operator, replacement in list(_variants(node, slot, names)):
            mutated = copy.deepcopy(module)
            target = _slots(mutated)[position]
            _set(target, ast.fix_missing_locations(replacement))
            try:
                text = ast.unparse(ast.fix_missing_locations(mutated))
                compile(text, cell, "exec")
            except (SyntaxError, ValueError, TypeError):
                continue
            if text != original and text not in found:
                line = getattr(node, "lineno", getattr(slot[0], "lineno", 0))
                where = f"line {line}: {_short(ast.unparse(node))} -> {_short(ast.unparse(replacement))}"
                found[text] = Mutant(cell, seed, operator, where, text)
    return list(found.values())


def catalogue_mutants(answers):
    """The FORMS, applied to the reference answers: mutants that declare their mistake."""
    made = []
    for mistake_id, cell, edits in FORMS:
        source = answers[cell]
        for old, new in edits:
            if old not in source:
                raise ValueError(f"FORMS: {mistake_id}: {old!r} is not in the answer {cell}; update the form")
            source = source.replace(old, new)
        made.append(Mutant(cell, "reference", f"catalogue: {mistake_id}", f"{mistake_id}: {edits[0][0].strip()} -> "
                           f"{edits[0][1].strip()}", ast.unparse(ast.parse(source)), {mistake_id}))
    return made


def all_mutants(answers):
    """Generic mutants of the reference and CLASSIC answers, and the catalogue's forms, merged where
    two are the same code (a generic mutant that is a catalogued form declares it too)."""
    merged = {}
    for mutant in [m for part in PARTS for seed, cells in (("reference", answers), ("classic", CLASSIC))
                   for m in mutate(part.cell, cells[part.cell], seed)] + catalogue_mutants(answers):
        key = (mutant.cell, mutant.source)
        if key in merged:
            merged[key].declares |= mutant.declares
        else:
            merged[key] = mutant
    return list(merged.values())
