"""Statistical secrecy of small cells: the one rule of every figure that leaves the school team.

A funder, the public or the open data never read a count of 1 to 4 young people (or of 1 to 4
events about them: barriers, skills), nor a rate whose numerator or denominator is such a count:
one could recognise a person. Zero is published: it names nobody, and hiding it would hide the
figures of every school that has not had an exit yet.

Secrecy is in two passes over a table of counts — never over people:

1. *primary*: every count from 1 to 4 is hidden, shown « < 5 » (`PRIMARY`);
2. *secondary* (complementary): the table holds relations that a reader knows — a total is the sum
   of its parts (`Cells.sums`), a part is at most its whole (`Cells.orders`: women ≤ entries). From
   the published cells and these relations, knowing that a « < 5 » cell lies between 1 and 4 and
   that a « s » one may be anything, the reader narrows every hidden cell to an interval
   (`bounds`). While some hidden cell's interval is a single value (`disclosed`), one more cell of a
   relation that holds it is hidden, shown « s » (`SECONDARY`): the smallest that is not zero, and
   not one the caller would rather keep. Each round hides one more cell, so it ends.

Publishing zeros tells the reader that every « < 5 » is at least 1, so that small cells can give
each other away with nothing published around them: four exits in four categories are one each.
Before the second pass, such a cell is shown « s » instead of « < 5 » (it is still hidden; the
reader only loses the bound).

The cells are any hashable keys; the relations split them into independent groups that are
protected one at a time, so that a large table costs little more than the sum of its parts.
No Django here: the open data, the impact dashboards and API, the funder's report and the funding
pages all call these functions.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

THRESHOLD = 5
PRIMARY = "< 5"
SECONDARY = "s"
INF = float("inf")

#: What each marker means, in French, for legends and help texts.
LEGEND = {
    PRIMARY: "de 1 à 4 jeunes : chiffre masqué (secret statistique)",
    SECONDARY: "chiffre masqué pour qu'aucun total ni aucune différence ne permette de retrouver un chiffre « < 5 »",
}

Cell = Hashable


def is_small(count: int | None) -> bool:
    """Whether a count must never be published (1 to 4)."""
    return count is not None and 0 < count < THRESHOLD


def primary(count: int | None) -> str:
    """The marker of a lone count, with no relation to any other published figure."""
    return PRIMARY if is_small(count) else ""


def shown(count: int | None, status: str = "") -> str:
    """A count as printed: its marker when hidden, else the number."""
    if status:
        return status
    return "" if count is None else str(count)


@dataclass
class Cells:
    """A table of counts and the relations between them that a reader can use."""

    values: dict[Cell, int]
    #: (total, parts): total = sum of the parts.
    sums: list[tuple[Cell, tuple[Cell, ...]]] = field(default_factory=list)
    #: (part, whole): part ≤ whole.
    orders: list[tuple[Cell, Cell]] = field(default_factory=list)

    def groups(self) -> list["Cells"]:
        """The independent groups of cells: those linked by some chain of relations."""
        parent: dict[Cell, Cell] = {}

        def find(cell):
            root = cell
            while parent.get(root, root) != root:
                root = parent[root]
            while parent.get(cell, cell) != root:  # path compression
                parent[cell], cell = root, parent[cell]
            return root

        def join(a, b):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb

        for total, parts in self.sums:
            for part in parts:
                join(total, part)
        for part, whole in self.orders:
            join(part, whole)
        members: dict[Cell, list[Cell]] = {}
        for cell in self.values:
            members.setdefault(find(cell), []).append(cell)
        result = {root: Cells({c: self.values[c] for c in cells}) for root, cells in members.items()}
        for total, parts in self.sums:
            result[find(total)].sums.append((total, parts))
        for part, whole in self.orders:
            result[find(part)].orders.append((part, whole))
        return list(result.values())


def _interval(cells: Cells, status: dict[Cell, str], cell: Cell) -> tuple[float, float]:
    mark = status.get(cell, "")
    if mark == PRIMARY:
        return (1, THRESHOLD - 1)
    if mark == SECONDARY:
        return (0, INF)
    value = cells.values[cell]
    return (value, value)


def bounds(cells: Cells, status: dict[Cell, str]) -> dict[Cell, tuple[float, float]]:
    """What a reader can infer of every cell from the published ones and the relations: interval
    propagation to a fixed point (published: exact; « < 5 »: 1 to 4; « s »: 0 or more)."""
    known = {cell: _interval(cells, status, cell) for cell in cells.values}

    def narrow(cell, lo, hi) -> bool:
        old_lo, old_hi = known[cell]
        lo, hi = max(old_lo, lo), min(old_hi, hi)
        if (lo, hi) != (old_lo, old_hi) and lo <= hi:
            known[cell] = (lo, hi)
            return True
        return False

    changed = True
    while changed:
        changed = False
        for total, parts in cells.sums:
            lo_sum = sum(known[p][0] for p in parts)
            finite_hi = sum(known[p][1] for p in parts if known[p][1] != INF)
            unbounded = sum(known[p][1] == INF for p in parts)
            changed |= narrow(total, lo_sum, finite_hi if not unbounded else INF)
            total_lo, total_hi = known[total]
            for p in parts:
                p_lo, p_hi = known[p]
                others_lo = lo_sum - p_lo
                others_unbounded = unbounded - (p_hi == INF)
                others_hi = INF if others_unbounded else finite_hi - (p_hi if p_hi != INF else 0)
                changed |= narrow(p, total_lo - others_hi, total_hi - others_lo)
        for part, whole in cells.orders:
            changed |= narrow(part, -INF, known[whole][1])
            changed |= narrow(whole, known[part][0], INF)
    return known


def disclosed(cells: Cells, status: dict[Cell, str]) -> list[Cell]:
    """Hidden cells whose value a reader can recompute exactly."""
    inferred = bounds(cells, status)
    return [c for c in cells.values if status.get(c) and inferred[c][0] == inferred[c][1]]


def protect(
    cells: Cells,
    status: dict[Cell, str] | None = None,
    *,
    keep: Iterable[Cell] = (),
    order: Callable[[Cell], object] = str,
) -> dict[Cell, str]:
    """Primary then secondary suppression: the marker of every cell ("" when published).

    `status` imposes markers decided elsewhere (cells hidden in another table that this one must
    agree with); every other cell starts from its primary marker. A complement is chosen among the
    cells of the relations of a disclosed one, the cells of `keep` last, then the smallest, then by
    `order` (a key on the cell, for a result that does not depend on the order of the rows)."""
    result = {cell: primary(value) for cell, value in cells.values.items()}
    result.update(status or {})
    keep = set(keep)
    for group in cells.groups():
        if group.sums or group.orders:
            _protect_group(group, result, keep, order)
    return result


def _protect_group(group: Cells, status: dict[Cell, str], keep: set, order) -> None:
    related: dict[Cell, list[Cell]] = {}
    for total, parts in group.sums:
        for cell in (total, *parts):
            related.setdefault(cell, []).extend((total, *parts))
    for part, whole in group.orders:
        related.setdefault(part, []).append(whole)
        related.setdefault(whole, []).append(part)

    def cost(cell):
        value = group.values[cell]
        return (cell in keep, value == 0, value, order(cell))

    # Small cells that give each other away even with every other cell hidden: « s » instead.
    while True:
        everything_hidden = {c: status.get(c) or SECONDARY for c in group.values}
        leaks = [c for c in disclosed(group, everything_hidden) if status.get(c) == PRIMARY]
        if not leaks:
            break
        leak = min(leaks, key=order)
        around = [c for c in (leak, *related.get(leak, ())) if status.get(c) == PRIMARY]
        status[max(around, key=lambda c: (group.values[c], order(c)))] = SECONDARY

    while leaks := disclosed(group, status):
        choice = None
        for leak in sorted(leaks, key=order):
            candidates = [c for c in related.get(leak, ()) if not status.get(c)]
            if candidates:
                choice = min(candidates, key=cost)
                break
        if choice is None:  # nothing left to hide around the leaks: the whole group is « s »
            for cell in group.values:
                status[cell] = SECONDARY
            break
        status[choice] = SECONDARY
