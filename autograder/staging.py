"""What the sandbox may see of the checks: their harness halves, with every judge's body taken out.

A check module holds both halves of each check. The harness half must run beside student code; the
judge half (references, tolerances, hints) runs outside and is none of the sandbox's business, so
the staged copy keeps each judge's name and signature but replaces its body with a `raise`.
"""
from __future__ import annotations

import ast

# Module-level helpers that only judges call (besides anything named *judge* or *torch*).
JUDGE_ONLY = {"compare", "verdict", "_value_hint", "_broadcasts_to", "_step_failure", "_check_order",
              "_deep_reference", "_hint", "_reachable"}
_MESSAGE = "judges run outside the sandbox"


def _judge_side(name: str) -> bool:
    lowered = name.lower()
    return "judge" in lowered or "torch" in lowered or name in JUDGE_ONLY


def _without_docstring(body: list) -> list:
    """Docstrings describe both halves; the sandbox needs none of them."""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body or [ast.Pass()]


class _Stripper(ast.NodeTransformer):
    def visit_Module(self, node: ast.Module):
        self.generic_visit(node)
        node.body = _without_docstring(node.body)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef):
        if _judge_side(node.name):
            node.body = [ast.Raise(exc=ast.Call(func=ast.Name("RuntimeError", ast.Load()),
                                                args=[ast.Constant(_MESSAGE)], keywords=[]))]
            return node
        self.generic_visit(node)
        node.body = _without_docstring(node.body)
        return node

    def visit_ClassDef(self, node: ast.ClassDef):
        if _judge_side(node.name):
            node.body = [ast.Pass()]
            return node
        self.generic_visit(node)
        node.body = _without_docstring(node.body)
        return node


def harness_only(source: str) -> str:
    """The module's source with judge-side functions and classes emptied (comments dropped too)."""
    tree = _Stripper().visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
