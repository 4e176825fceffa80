"""YAML with line numbers: configuration files whose errors must name the line a person has to fix."""

from __future__ import annotations

from typing import Any

import yaml
from policywatch.transforms.errors import ConfigError
from pydantic import ValidationError

__all__ = ["describe_validation_error", "load_yaml_with_lines", "where"]


def load_yaml_with_lines(text: str, source: str) -> tuple[Any, dict[tuple, int]]:
    """Load YAML keeping the line of every node, keyed by its path (``('themes', 3, 'terms')``)."""
    lines: dict[tuple, int] = {}

    def build(node: yaml.Node, path: tuple) -> Any:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = key_node.value
                lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(child, (*path, i)) for i, child in enumerate(node.value)]
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        # through the safe constructor, not a round trip through text: an empty value (``key:``) serializes to
        # a bare document end that cannot be read back
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"{source}, line {mark.line + 1}" if mark is not None else source
        raise ConfigError(f"{place}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return (build(node, ()) if node is not None else None), lines


def where(loc: tuple, lines: dict[tuple, int], source: str) -> str:
    """``file, line N: a.b.c`` for the deepest part of ``loc`` that has a line."""
    line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
    return f"{source}, line {line}: {'.'.join(str(p) for p in loc) or '(top)'}"


def describe_validation_error(exc: ValidationError, lines: dict[tuple, int], source: str, what: str) -> ConfigError:
    problems = [f"{where(tuple(e['loc']), lines, source)}: {e['msg']}" for e in exc.errors()]
    return ConfigError(f"invalid {what}:\n  " + "\n  ".join(problems))
