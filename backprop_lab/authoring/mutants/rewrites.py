"""Rewrites of the answers that keep the meaning: every one must keep full marks."""
import ast
import copy

from backprop_lab.authoring import submissions
from backprop_lab.authoring.mutants.generate import call_name
from backprop_lab.authoring.mutants.parts import CLASSIC, PARTS


class _Rewriter(ast.NodeTransformer):
    """One meaning-preserving rewrite, applied wherever it fits."""

    def __init__(self, kind):
        self.kind, self.applied = kind, 0

    def visit_BinOp(self, node):
        self.generic_visit(node)
        kind = self.kind
        if kind == "commute" and isinstance(node.op, (ast.Add, ast.Mult)):
            return self._done(ast.BinOp(node.right, node.op, node.left))
        if kind == "square" and isinstance(node.op, ast.Pow) and getattr(node.right, "value", None) == 2:
            return self._done(ast.BinOp(node.left, ast.Mult(), copy.deepcopy(node.left)))
        if kind == "reciprocal" and isinstance(node.op, ast.Div) and not isinstance(node.left, ast.Constant):
            return self._done(ast.BinOp(node.left, ast.Mult(), ast.BinOp(ast.Constant(1), ast.Div(), node.right)))
        if kind == "transposed product" and isinstance(node.op, ast.MatMult):
            product = ast.BinOp(ast.Attribute(node.right, "T", ast.Load()), ast.MatMult(),
                                ast.Attribute(node.left, "T", ast.Load()))
            return self._done(ast.Attribute(product, "T", ast.Load()))
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        name, kind = call_name(node), self.kind
        if kind == "methods" and name == "sum" and isinstance(node.func, ast.Attribute) and _is_np(node.func.value) \
                and len(node.args) == 1:
            return self._done(ast.Call(ast.Attribute(node.args[0], "sum", ast.Load()), [], node.keywords))
        if kind == "methods" and name == "len" and len(node.args) == 1:
            return self._done(ast.Subscript(ast.Attribute(node.args[0], "shape", ast.Load()), ast.Constant(0),
                                            ast.Load()))
        if kind == "concatenate" and name == "append" and len(node.args) == 2:
            return self._done(ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "concatenate", ast.Load()),
                                       [ast.List(node.args, ast.Load())], []))
        if kind == "sigmoid written out" and name == "mySigmoid":
            exp = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "exp", ast.Load()),
                           [ast.UnaryOp(ast.USub(), node.args[0])], [])
            return self._done(ast.BinOp(ast.Constant(1), ast.Div(), ast.BinOp(ast.Constant(1), ast.Add(), exp)))
        return node

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        if self.kind == "float32":
            arguments = [a.arg for a in node.args.args if a.arg in ("nnThetas", "X", "y", "z", "image", "thetaOne")]
            casts = [ast.parse(f"{a} = np.asarray({a}, dtype=np.float32)").body[0] for a in arguments]
            if casts:
                docstring = node.body[:1] if isinstance(node.body[0], ast.Expr) else []
                node.body = docstring + casts + node.body[len(docstring):]
                self.applied += 1
        return node

    def _done(self, node):
        self.applied += 1
        return node


REWRITES = ("commute", "square", "reciprocal", "transposed product", "methods", "concatenate",
            "sigmoid written out", "float32")


def _is_np(node):
    return isinstance(node, ast.Name) and node.id == "np"


def rewrites(answers):
    """(name, cells) of the correct rewrites: every REWRITE of every answer where it applies, CLASSIC
    answer by answer, and the correct samples."""
    made = []
    for part in PARTS:
        for kind in REWRITES:
            rewriter = _Rewriter(kind)
            text = ast.unparse(ast.fix_missing_locations(rewriter.visit(ast.parse(answers[part.cell]))))
            if rewriter.applied:
                made.append((f"{part.cell}: {kind}", {part.cell: text}))
        made.append((f"{part.cell}: classic", {part.cell: CLASSIC[part.cell]}))
    made += [(f"samples/{sample.name}.py", sample.cells) for sample in submissions.all_samples()
             if sample.name.startswith("correct-")]
    return made
