"""Changing one signed value of a JSON document at a time."""

import copy


def leaf_paths(value, prefix=()):
    """Every leaf of a JSON document, as a path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*prefix, index))
    else:
        yield prefix


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return str(value) + "x"


def tamper(document: dict, path: tuple) -> dict:
    """A copy of `document` with the value at `path` changed."""
    result = copy.deepcopy(document)
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = changed(target[path[-1]])
    return result
