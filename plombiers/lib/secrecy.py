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
   (`bounds`). While some hidden cell's interval is a single value (`disclosed`), one more cell of
   the relation that gave it away is hidden, shown « s » (`SECONDARY`): the smallest that is not
   zero, and not one the caller would rather keep. Each round hides one more cell at least, so it
   ends.

Publishing zeros tells the reader that every « < 5 » is at least 1, so that small cells can give
each other away with nothing published around them: four exits in four categories are one each.
Before the second pass, such a cell is shown « s » instead of « < 5 » (it is still hidden; the
reader only loses the bound).

A table read through many outputs (a funder's schools × years, behind each of its dashboards) is
protected once (`protect_table`); each output then adds its own cells and the relations that tie
them to it (`protect_against`), and only what they add is propagated again.

The cells are any hashable keys; the propagation visits only the relations that hold a hidden cell,
so that a large table costs about what its hidden part does. No Django here: the open data, the impact dashboards and API, the
funder's report and the funding pages all call these functions.
"""

from collections import deque
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
Interval = tuple[float, float]


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

    def relations(self) -> list[tuple[str, tuple]]:
        """Every relation as (kind, cells): a sum's total first."""
        return [("sum", (total, *parts)) for total, parts in self.sums] + [
            ("order", pair) for pair in self.orders
        ]

    def groups(self) -> list["Cells"]:
        """The independent groups of cells (linked by some chain of relations), each with its
        relations, in the order of the table: each is protected on its own."""
        relations = self.relations()
        holding: dict[Cell, list[int]] = {}
        for index, (_kind, members) in enumerate(relations):
            for cell in members:
                holding.setdefault(cell, []).append(index)
        group_of: dict[Cell, int] = {}
        groups: list[Cells] = []
        seen: set[int] = set()
        for start in self.values:
            if start in group_of:
                continue
            number = len(groups)
            groups.append(Cells({}))
            group_of[start] = number
            todo = [start]
            while todo:
                for index in holding.get(todo.pop(), ()):
                    if index in seen:
                        continue
                    seen.add(index)
                    for cell in relations[index][1]:
                        if cell not in group_of:
                            group_of[cell] = number
                            todo.append(cell)
        for cell, value in self.values.items():
            groups[group_of[cell]].values[cell] = value
        for total, parts in self.sums:
            groups[group_of[total]].sums.append((total, parts))
        for pair in self.orders:
            groups[group_of[pair[0]]].orders.append(pair)
        return groups


class _Index:
    """The relations of a table, and for each cell those that hold it."""

    def __init__(self, relations: list[tuple[str, tuple]], base: "_Index | None" = None):
        self.offset = len(base.relations) if base else 0
        self.relations = (base.relations if base else []) + relations
        self.base = base
        self.own: dict[Cell, list[int]] = {}
        for index, (_kind, members) in enumerate(relations, start=self.offset):
            for cell in members:
                self.own.setdefault(cell, []).append(index)

    def holding(self, cell) -> list[int]:
        own = self.own.get(cell, [])
        return [*self.base.holding(cell), *own] if self.base else own

    def cells(self, cell) -> set[Cell]:
        """Every cell of a relation that holds `cell`."""
        return {other for index in self.holding(cell) for other in self.relations[index][1]}


def _interval(values, status: dict[Cell, str], cell: Cell) -> Interval:
    mark = status.get(cell, "")
    if mark == PRIMARY:
        return (1, THRESHOLD - 1)
    if mark == SECONDARY:
        return (0, INF)
    value = values[cell]
    return (value, value)


def _propagate(index: _Index, status, known: dict, queue: Iterable[int], reasons: dict, changed: set) -> None:
    """Narrow `known` to a fixed point, from the relations in `queue` on. Only a hidden cell can
    narrow (a published one is exact): a relation is visited again only when one of its cells did,
    so that a large table costs what its hidden part does."""
    queue = deque(queue)
    queued = set(queue)
    relations = index.relations
    current = None

    def narrow(cell, lo, hi) -> None:
        old_lo, old_hi = known[cell]
        lo, hi = max(old_lo, lo), min(old_hi, hi)
        if (lo, hi) != (old_lo, old_hi) and lo <= hi:
            known[cell] = (lo, hi)
            reasons[cell] = relations[current][1]
            changed.add(cell)
            for other in index.holding(cell):
                if other not in queued:
                    queued.add(other)
                    queue.append(other)

    while queue:
        current = queue.popleft()
        queued.discard(current)
        kind, members = relations[current]
        if kind == "order":
            part, whole = members
            narrow(part, -INF, known[whole][1])
            narrow(whole, known[part][0], INF)
            continue
        total, *parts = members
        lo_sum = finite_hi = unbounded = 0
        for p in parts:
            p_lo, p_hi = known[p]
            lo_sum += p_lo
            if p_hi == INF:
                unbounded += 1
            else:
                finite_hi += p_hi
        narrow(total, lo_sum, INF if unbounded else finite_hi)
        total_lo, total_hi = known[total]
        # A part narrows only if the slack of the sum is smaller than its own width.
        slack_hi = total_hi - lo_sum
        slack_lo = INF if unbounded else finite_hi - total_lo
        for p in parts:
            p_lo, p_hi = known[p]
            width = p_hi - p_lo
            if width == 0 or (slack_hi >= width and slack_lo >= width):
                continue
            others_unbounded = unbounded - (p_hi == INF)
            others_hi = INF if others_unbounded else finite_hi - (p_hi if p_hi != INF else 0)
            narrow(p, total_lo - others_hi, total_hi - (lo_sum - p_lo))


def bounds(
    cells: Cells, status: dict[Cell, str], reasons: dict[Cell, tuple] | None = None
) -> dict[Cell, Interval]:
    """What a reader can infer of every cell from the published ones and the relations: interval
    propagation to a fixed point (published: exact; « < 5 »: 1 to 4; « s »: 0 or more). With
    `reasons`, the cells of the relation that narrowed each cell last are written there."""
    known = {cell: _interval(cells.values, status, cell) for cell in cells.values}
    index = _Index(cells.relations())
    queue = [i for i, (_k, members) in enumerate(index.relations) if any(status.get(c) for c in members)]
    _propagate(index, status, known, queue, reasons if reasons is not None else {}, set())
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
    prefer: Callable[[Cell], object] = lambda cell: 0,
    order: Callable[[Cell], object] = str,
) -> dict[Cell, str]:
    """Primary then secondary suppression: the marker of every cell ("" when published).

    `status` imposes markers decided elsewhere; every other cell starts from its primary marker. A
    complement is chosen among the cells of the relation that gave a hidden cell away: the cells
    of `keep` last, then by `prefer` (a key: the lower, the sooner hidden), then zero last, then the
    smallest, then by `order` (a key on the cell, so that the result does not depend on the order
    of the rows)."""
    result = {cell: primary(value) for cell, value in cells.values.items()}
    result.update(status or {})
    keep = set(keep)
    for group in cells.groups():
        if group.sums or group.orders:
            _upgrade(group, result, order)
            _complete(group.values, _Index(group.relations()), result, keep, (prefer, order))
    return result


def _upgrade(group: Cells, status: dict[Cell, str], order, only: set | None = None) -> None:
    """Small cells that give each other away even with every other cell hidden: « s » instead of
    « < 5 » (a cell of `only`, when given, rather than another). One per leak and round."""
    index = _Index(group.relations())
    while True:
        everything_hidden = {c: status.get(c) or SECONDARY for c in group.values}
        leaks = [c for c in disclosed(group, everything_hidden) if status.get(c) == PRIMARY]
        if not leaks:
            return
        upgraded: set[Cell] = set()
        for leak in sorted(leaks, key=order):
            around = {leak, *index.cells(leak)}
            if around & upgraded:
                continue
            small = [c for c in around if status.get(c) == PRIMARY]
            preferred = [c for c in small if only is None or c in only] or small
            upgraded.add(max(preferred, key=lambda c: (group.values[c], order(c))))
        for cell in upgraded:
            status[cell] = SECONDARY


def _complete(values, index: _Index, status, keep: set, keys, known=None, fresh=()) -> None:
    """The second pass: one complement for each leak of a round, in the relation that gave it
    away, unless another complement of the round already lies there.

    With `known` (the fixed point of a table already protected under the same markers), only the
    relations of `fresh` cells are propagated again — until a cell of that table must be hidden
    too, which makes `known` stale."""

    prefer, order = keys

    def cost(cell):
        value = values[cell]
        return (cell in keep, prefer(cell), value == 0, value, order(cell))

    # What a reader knows before any propagation, and the relations that hold a hidden cell: kept
    # from one round to the next, where only the complements chosen change them.
    prior: dict[Cell, Interval] = {}
    active: set[int] = set()
    if known is None:
        prior = {c: _interval(values, status, c) for c in values}
        active = {i for i, (_k, m) in enumerate(index.relations) if any(status.get(c) for c in m)}
    while True:
        reasons: dict[Cell, tuple] = {}
        if known is not None:
            inferred = dict(known)
            inferred.update({c: _interval(values, status, c) for c in fresh})
            queue = {i for c in fresh for i in index.holding(c)}
            changed = {c for c in fresh if status.get(c)}
            _propagate(index, status, inferred, sorted(queue), reasons, changed)
            suspects = changed
        else:
            inferred = dict(prior)
            _propagate(index, status, inferred, sorted(active), reasons, set())
            suspects = values
        leaks = [c for c in suspects if status.get(c) and inferred[c][0] == inferred[c][1]]
        if not leaks:
            return
        chosen: set[Cell] = set()
        for leak in sorted(leaks, key=order):
            culprit = set(reasons.get(leak, ()))
            if culprit & chosen:
                continue
            candidates = [c for c in culprit if not status.get(c)] or [
                c for c in index.cells(leak) if not status.get(c)
            ]
            if candidates:
                chosen.add(min(candidates, key=cost))
        if not chosen:  # nothing left to hide around the leaks: all that is linked to them is « s »
            for cell in _linked(index, leaks):
                status[cell] = SECONDARY
            return
        for cell in chosen:
            status[cell] = SECONDARY
        if known is not None and chosen - set(fresh):
            known = None  # a cell of the protected table is hidden now: start again from scratch
            prior = {c: _interval(values, status, c) for c in values}
            active = {i for i, (_k, m) in enumerate(index.relations) if any(status.get(c) for c in m)}
        elif known is None:
            for cell in chosen:
                prior[cell] = _interval(values, status, cell)
                active.update(index.holding(cell))


def _linked(index: _Index, cells) -> set[Cell]:
    """The cells linked to `cells` by some chain of relations."""
    seen, todo = set(cells), list(cells)
    while todo:
        for other in index.cells(todo.pop()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


@dataclass
class Protected:
    """A table protected once, read through many outputs: its markers and what a reader infers
    of each of its cells from it alone."""

    cells: Cells
    status: dict[Cell, str]
    known: dict[Cell, Interval]
    index: _Index


def protect_table(
    cells: Cells,
    *,
    prefer: Callable[[Cell], object] = lambda cell: 0,
    order: Callable[[Cell], object] = str,
) -> Protected:
    status = protect(cells, prefer=prefer, order=order)
    index = _Index(cells.relations())
    known = {cell: _interval(cells.values, status, cell) for cell in cells.values}
    queue = [i for i, (_k, m) in enumerate(index.relations) if any(status.get(c) for c in m)]
    _propagate(index, status, known, queue, {}, set())
    return Protected(cells, status, known, index)


def protect_against(
    base: Protected, extra: Cells, *, order: Callable[[Cell], object] = str
) -> dict[Cell, str]:
    """The markers of the cells of `extra` — an output's own cells, with relations that may hold
    cells of `base` — and of `base` (unchanged, unless a leak leaves no other choice): the output
    agrees with every other output of the same base. Costs what `extra` adds, not what `base` is."""
    status = dict(base.status)
    status.update({cell: primary(value) for cell, value in extra.values.items()})
    values = {**base.cells.values, **extra.values}
    fresh = set(extra.values)
    # Small cells of the output that give each other away: among its own relations only (those of
    # the base were dealt with when it was protected).
    local = Cells(
        {c: values[c] for _k, members in extra.relations() for c in members} | extra.values,
        extra.sums,
        extra.orders,
    )
    before = {c: status.get(c) for c in local.values if c not in fresh}
    _upgrade(local, status, order, only=fresh)
    stale = any(status.get(c) != mark for c, mark in before.items())
    index = _Index(extra.relations(), base.index)
    _complete(
        values,
        index,
        status,
        set(base.cells.values),
        (lambda cell: 0, order),
        known=None if stale else base.known,
        fresh=fresh,
    )
    return status
