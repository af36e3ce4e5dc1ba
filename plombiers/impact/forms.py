import functools

from django import forms
from django.db.models import Value
from django.utils import timezone

from plombiers.lib.text import fold
from plombiers.lib.widgets import NamedModelChoiceField, QuickSelect
from plombiers.network.models import Region, School, Trade

from .access import as_pk
from .selectors import GROUPS, Filters

FIRST_YEAR = 2017
#: Beyond this many schools (a national network: 2,000), the list of schools waits for a région:
#: a list that long serves nobody, and cost more than the figures it filters.
LONGEST_SCHOOL_LIST = 200


def _in_french_order(rows) -> list:
    """(pk, name) rows by their names as a reader looks for them, accents and capitals aside."""
    return sorted(rows, key=lambda row: (fold(row[1]), row[0]))


class DashboardFilterForm(forms.Form):
    """The filters of a dashboard: year, trade, région, school, and the breakdown of the table."""

    year = forms.TypedChoiceField(
        label="Année", required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    trade = NamedModelChoiceField(
        label="Métier", queryset=Trade.objects.all(), required=False, empty_label="Tous", widget=QuickSelect
    )
    region = NamedModelChoiceField(
        label="Région",
        queryset=Region.objects.all(),
        required=False,
        empty_label="Toutes",
        widget=QuickSelect,
    )
    # A national network: 2,000 schools in this list (`QuickSelect`).
    school = NamedModelChoiceField(
        label="École",
        queryset=School.objects.none(),
        required=False,
        empty_label="Toutes",
        widget=QuickSelect,
    )
    group_by = forms.ChoiceField(label="Tableau par", required=False, widget=QuickSelect)

    def __init__(self, data=None, *, scope, default_group: str):
        super().__init__(data)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "Toutes")] + [
            (y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)
        ]
        schools = scope.compiled_schools
        self.fields["school"].queryset = schools.order_by("name")
        if scope.kind not in ("school", "cohort"):
            self._list_schools(schools)
        # Only what the scope holds: a funder of two schools picks among their two régions, read
        # on the schools (`School.region`), not through their communes.
        self.fields["region"].queryset = Region.objects.filter(pk__in=schools.values("region"))
        self.fields["trade"].queryset = Trade.objects.filter(pk__in=schools.values("trade"))
        self._list_places_and_trades()
        groups = {
            k: v
            for k, v in GROUPS.items()
            if not (scope.kind in ("school", "cohort") and k in ("school", "funder"))
        }
        if scope.kind == "cohort":
            groups.pop("cohort", None)
        self.fields["group_by"].choices = list(groups.items())
        self.fields["group_by"].initial = default_group
        self.default_group = default_group
        if scope.kind in ("school", "cohort"):
            for name in ("trade", "region", "school"):
                del self.fields[name]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def _list_places_and_trades(self) -> None:
        """The choices of the trade and région filters, read when either list is shown, both in one
        query (a `UNION ALL` of the two querysets above, which still check what is submitted)."""
        trade, region = self.fields["trade"], self.fields["region"]

        @functools.cache
        def rows():
            listed = {"trade": [], "region": []}
            tagged = (
                trade.queryset.order_by().annotate(field=Value("trade")).values_list("field", "pk", "name")
            )
            places = (
                region.queryset.order_by().annotate(field=Value("region")).values_list("field", "pk", "name")
            )
            for field, pk, name in tagged.union(places, all=True):
                listed[field].append((pk, name))
            return listed

        def choices(name: str, field) -> list:
            return [("", field.empty_label), *_in_french_order(rows()[name])]

        trade.choices = functools.partial(choices, "trade", trade)
        region.choices = functools.partial(choices, "region", region)

    def _list_schools(self, schools) -> None:
        """The choices of the school filter, read when the list is shown (a page that only reads the
        filters never lists them), in one query: every school of the scope (`schools`), or those of
        the région chosen when the scope has more than `LONGEST_SCHOOL_LIST` (then the school
        chosen, if any, stays listed), in French order. Read unsorted, up to one past the limit:
        a national network's 2,000 names are never sorted to be left out. Any school of the scope
        is still accepted (`ModelChoiceField` reads it)."""
        field = self.fields["school"]
        region = as_pk(self.data.get("region")) if self.is_bound else None
        chosen = as_pk(self.data.get("school")) if self.is_bound else None
        schools = schools.order_by()

        @functools.cache
        def choices():
            if region:
                rows = list(schools.filter(region=region).values_list("pk", "name"))
            else:
                rows = list(schools.values_list("pk", "name")[: LONGEST_SCHOOL_LIST + 1])
            if len(rows) > LONGEST_SCHOOL_LIST and not region:
                rows = list(schools.filter(pk=chosen).values_list("pk", "name")) if chosen else []
                # Read by the template after the list (`QuickSelect` lists before its attributes).
                field.help_text = "Liste des écoles : choisir d'abord une région, puis Appliquer."
                field.widget.attrs["aria-describedby"] = "id_school_aide"
            return [("", field.empty_label), *_in_french_order(rows)]

        field.choices = choices

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        pk = lambda name: data.get(name).pk if data.get(name) else None  # noqa: E731
        return Filters(year=data.get("year"), trade=pk("trade"), region=pk("region"), school=pk("school"))

    def group(self) -> str:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("group_by"):
            return self.cleaned_data["group_by"]
        return self.default_group
